from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExportsConfig(AppConfig):
    name = "exports"
    verbose_name = _("Exports and dashboard")

    def ready(self):
        # Register the Celery tasks in every process (web too): the services queue them by
        # name through Celery's registry instead of importing this module (no import circle).
        from . import tasks  # noqa: F401
