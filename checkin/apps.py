from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckinConfig(AppConfig):
    name = "checkin"
    verbose_name = _("Check-in")

    def ready(self):
        from minex.personal_data import register_source
        from registrations import extensions

        from . import personal_data
        from .panels import DASHBOARD_LIVE

        extensions.add_dashboard_panel(DASHBOARD_LIVE)
        # Its part of "download my data" and "delete my account" (minex/personal_data.py).
        register_source(personal_data.SOURCE)
