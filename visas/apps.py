from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisasConfig(AppConfig):
    name = "visas"
    verbose_name = _("Visa invitation letters")

    def ready(self):
        # Register the Celery tasks in every process (web too): the services publish them by
        # name through Celery's registry instead of importing the tasks module.
        from mail.services import register_context_builder

        from . import tasks  # noqa: F401
        from .letters import emails as letter_emails

        register_context_builder(letter_emails.CONTEXT_BUILDER, letter_emails.build_context)
