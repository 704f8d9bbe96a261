from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PricingConfig(AppConfig):
    name = "pricing"
    verbose_name = _("Pricing and codes")

    def ready(self):
        from minex.personal_data import register_source
        from registrations import extensions

        from . import forms, panels, personal_data, services

        # Connected before billing's receivers (INSTALLED_APPS lists pricing first), so the
        # invoice is made for the price these set.
        extensions.registration_created.connect(
            services.on_registration_created, dispatch_uid="pricing.registration_created"
        )
        extensions.registration_status_changed.connect(
            services.on_registration_status_changed,
            dispatch_uid="pricing.registration_status_changed",
        )
        extensions.add_form_section(forms.CODE_SECTION)
        extensions.set_category_gate(forms.CATEGORY_GATE)
        extensions.add_detail_panel(panels.PRICE_LINES)
        extensions.add_confirmation_panel(panels.PRICE_LINES)
        extensions.add_email_context(panels.email_context)
        # Its part of "download my data" and "delete my account" (minex/personal_data.py).
        register_source(personal_data.SOURCE)
