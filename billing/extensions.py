"""Where the rest of billing (documents: PDFs and e-mails; bank statements; card payments)
hooks into its core, without the core importing them.

Sent by `billing.services` **inside the transaction** that made the change, after its history
row, with the document's row locked: a receiver's writes commit or roll back with it, and
anything that leaves the process (an e-mail, a PDF task) goes through the outbox or
`transaction.on_commit`, as everywhere. Receivers are connected in `BillingConfig.ready()`.
"""

from django.dispatch import Signal

# kwargs: invoice (an invoice or a credit note, just issued: it has its number), actor
# (the user who acted, or None for the portal).
document_issued = Signal()

# kwargs: payment (just inserted; negative for a refund), invoice, actor.
payment_recorded = Signal()
