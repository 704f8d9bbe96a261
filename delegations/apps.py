from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DelegationsConfig(AppConfig):
    name = "delegations"
    verbose_name = _("Delegations")

    def ready(self):
        from minex.personal_data import register_source
        from registrations import extensions

        from . import panels, personal_data, selectors

        # The focal point receives a copy of every e-mail a member gets about their
        # registration (status changes, promotion, substitution).
        extensions.add_email_copies(selectors.focal_point_copies)
        extensions.add_detail_panel(panels.DELEGATION_PANEL)
        # Its part of "download my data" and "delete my account" (minex/personal_data.py).
        register_source(personal_data.SOURCE)
