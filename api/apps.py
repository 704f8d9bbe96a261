from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = _("API and webhooks")

    def ready(self):
        from minex.personal_data import register_source
        from registrations import extensions

        # tasks: their names resolve in web processes.
        from . import personal_data, tasks, webhooks  # noqa: F401

        extensions.registration_created.connect(
            webhooks.on_registration_created, dispatch_uid="api.webhooks.created"
        )
        extensions.registration_status_changed.connect(
            webhooks.on_registration_status_changed, dispatch_uid="api.webhooks.status_changed"
        )
        extensions.registration_checked_in.connect(
            webhooks.on_registration_checked_in, dispatch_uid="api.webhooks.checked_in"
        )
        # Its part of "download my data" and "delete my account" (minex/personal_data.py).
        register_source(personal_data.SOURCE)
