"""Every change to a visa request: its creation, its statuses, its letters, its details.

Each service runs in one transaction, writes a `VisaRequestHistory` row for what it changed
and queues the delegate's e-mail through the outbox (`visas/emails.py`), so nothing leaves
the process before commit. A letter's PDF is rendered by the `visas.tasks.render_letter`
task, published by its registered name after commit with the letter's id.

Lock order (docs/architecture.md): the registration row (only to create a request), then
the visa request row, then its letter rows. The registration services lock event → category
→ registration and then, through `registration_status_changed`, reach `withdraw_for_closed_
registration` here, which locks the requests after: the same order, so no deadlock.

Passport data never goes into history rows, log lines or e-mails: history `details` name
the fields that changed, never their values.
"""

from .access import log_passport_access
from .errors import (
    AlreadyRequested,
    InvalidTransition,
    PassportDataWiped,
    PetitionNumberInvalid,
    ReasonRequired,
    RegistrationNotActive,
    RegistrationNotConfirmed,
    VisaError,
    VisaLetterNotNeeded,
)
from .letters import (
    RENDER_LETTER_TASK,
    VOID_NEW_VERSION,
    VOID_REFUSED,
    VOID_WITHDRAWN,
    letter_number,
)
from .requests import (
    issue_letter,
    record_petition,
    refuse_visa_request,
    request_visa_letter,
    start_review,
    update_passport_details,
    withdraw_for_closed_registration,
    withdraw_visa_request,
)

__all__ = [
    "RENDER_LETTER_TASK",
    "VOID_NEW_VERSION",
    "VOID_REFUSED",
    "VOID_WITHDRAWN",
    "AlreadyRequested",
    "InvalidTransition",
    "PassportDataWiped",
    "PetitionNumberInvalid",
    "ReasonRequired",
    "RegistrationNotActive",
    "RegistrationNotConfirmed",
    "VisaError",
    "VisaLetterNotNeeded",
    "issue_letter",
    "letter_number",
    "log_passport_access",
    "record_petition",
    "refuse_visa_request",
    "request_visa_letter",
    "start_review",
    "update_passport_details",
    "withdraw_for_closed_registration",
    "withdraw_visa_request",
]
