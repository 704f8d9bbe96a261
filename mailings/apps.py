from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MailingsConfig(AppConfig):
    name = "mailings"
    verbose_name = _("Mailings")

    def ready(self):
        # Registers the tasks in every process: services publish them by name.
        from . import tasks  # noqa: F401
