from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RegistrationsConfig(AppConfig):
    name = "registrations"
    verbose_name = _("Registrations")

    def ready(self):
        # The outbox renders this app's e-mails after commit, in the web process or a worker:
        # both load the apps, so both know how to build their context.
        from mail.services import register_context_builder

        from . import emails

        register_context_builder(emails.CONTEXT_BUILDER, emails.build_context)
