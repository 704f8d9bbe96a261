"""Billing's documents: the PDFs of invoices and credit notes (made once, by a worker, after
the commit that issued them), the e-mails that carry them and the receipt, and the downloads
(linked from the delegate's payment panel, `billing/panels.py`). Hangs off
`billing.extensions`; the core never imports it."""


def connect() -> None:
    """Connect the receivers and the receipt's e-mail context builder (called from
    `BillingConfig.ready()`)."""
    from mail.services import register_context_builder

    from .. import extensions
    from . import emails, receivers

    extensions.document_issued.connect(
        receivers.on_document_issued, dispatch_uid="billing.documents.document_issued"
    )
    extensions.payment_recorded.connect(
        receivers.on_payment_recorded, dispatch_uid="billing.documents.payment_recorded"
    )
    register_context_builder(emails.RECEIPT_BUILDER, emails.build_receipt_context)
