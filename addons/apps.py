from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AddonsConfig(AppConfig):
    name = "addons"
    verbose_name = _("Add-ons")

    def ready(self):
        from mail.services import register_context_builder
        from minex.personal_data import register_source
        from registrations import extensions

        from . import emails, forms, panels, personal_data, receivers

        extensions.registration_created.connect(
            receivers.on_registration_created, dispatch_uid="addons.registration_created"
        )
        extensions.registration_status_changed.connect(
            receivers.on_registration_status_changed,
            dispatch_uid="addons.registration_status_changed",
        )
        extensions.add_form_section(forms.ADD_ONS_SECTION)
        extensions.add_detail_panel(panels.REGISTRATION_ADD_ONS)
        extensions.add_confirmation_panel(panels.CONFIRMATION_ADD_ONS)
        register_context_builder(emails.CONTEXT_BUILDER, emails.build_context)
        receivers.connect_pricing()
        # Its part of "download my data" and "delete my account" (minex/personal_data.py).
        register_source(personal_data.SOURCE)
