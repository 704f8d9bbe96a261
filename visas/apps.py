from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisasConfig(AppConfig):
    name = "visas"
    verbose_name = _("Visa invitation letters")

    def ready(self):
        from mail.services import register_context_builder
        from registrations import extensions
        from registrations.models import Registration

        # Register the Celery tasks in every process (web too): the services publish them by
        # name through Celery's registry instead of importing the tasks module.
        from . import emails, services, tasks, views  # noqa: F401

        # The outbox renders this app's e-mails after commit, in the web process or a worker.
        register_context_builder(emails.CONTEXT_BUILDER, emails.build_context)

        closing = {Registration.Status.CANCELLED, Registration.Status.REJECTED}

        def withdraw_when_registration_closes(sender, registration, to_status, actor, **kwargs):
            # Inside the registration service's transaction, after its locks (lock order).
            if to_status in closing:
                services.withdraw_for_closed_registration(
                    registration, actor=actor, to_status=to_status
                )

        extensions.registration_status_changed.connect(
            withdraw_when_registration_closes,
            sender=Registration,
            dispatch_uid="visas.withdraw_when_registration_closes",
            weak=False,
        )
        extensions.add_detail_panel(
            extensions.DetailPanel(template="visas/_panel.html", context=views.visa_panel, order=50)
        )
