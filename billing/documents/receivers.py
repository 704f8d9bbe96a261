"""The documents' answers to billing's announcements (`billing.extensions`), connected in
`BillingConfig.ready()` through `billing.documents.connect`. They run inside the transaction
that issued the document or recorded the payment, and only write rows: the PDF is made and
the e-mails are rendered after commit."""

from .emails import send_receipt_if_paid
from .rendering import schedule_document_pdf


def on_document_issued(sender, *, invoice, actor=None, **kwargs):
    """An issued invoice or credit note gets its PDF, e-mailed to the buyer once made."""
    schedule_document_pdf(invoice, send_to_buyer=True)


def on_payment_recorded(sender, *, payment, invoice=None, actor=None, **kwargs):
    """The payment that settles an invoice in full sends the buyer a receipt."""
    send_receipt_if_paid(payment, actor=actor)
