from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "privacy"
    verbose_name = _("Privacy")

    def ready(self):
        from . import sources, tasks  # noqa: F401  (tasks: names registered for beat)

        sources.register_sources()
