from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Check-in")

    def ready(self):
        from registrations import extensions

        from .panels import DASHBOARD_LIVE

        extensions.add_dashboard_panel(DASHBOARD_LIVE)
