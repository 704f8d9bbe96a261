"""Billing's documents: the PDFs of invoices and credit notes (made once, by a worker, after
the commit that issued them), the e-mails that carry them and the receipt, the delegate's
panel and the downloads. Hangs off `billing.extensions`; the core never imports it."""


def connect() -> None:
    """Connect the receivers, the delegate's panel and the e-mail context builder (called
    from `BillingConfig.ready()`)."""
    from mail.services import register_context_builder
    from registrations.extensions import add_detail_panel

    from .. import extensions
    from . import emails, panel, receivers

    extensions.document_issued.connect(
        receivers.on_document_issued, dispatch_uid="billing.documents.document_issued"
    )
    extensions.payment_recorded.connect(
        receivers.on_payment_recorded, dispatch_uid="billing.documents.payment_recorded"
    )
    register_context_builder(emails.RECEIPT_BUILDER, emails.build_receipt_context)
    add_detail_panel(panel.DOCUMENTS_PANEL)
