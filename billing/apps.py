from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from mail.services import register_context_builder
        from registrations import extensions

        from . import documents, emails, forms, panels, receivers, tasks  # noqa: F401  (tasks: by name)

        extensions.registration_created.connect(
            receivers.on_registration_created, dispatch_uid="billing.registration_created"
        )
        extensions.registration_status_changed.connect(
            receivers.on_registration_status_changed,
            dispatch_uid="billing.registration_status_changed",
        )
        extensions.add_form_section(forms.BILLING_SECTION)
        extensions.add_dashboard_panel(panels.DASHBOARD_TOTALS)
        extensions.add_detail_panel(panels.REGISTRATION_PAYMENT)
        register_context_builder(emails.CONTEXT_BUILDER, emails.build_context)
        # Documents: PDFs, their e-mails and the receipt.
        documents.connect()
