"""The personal data of the apps that existed when `privacy` was written, registered into
`minex.personal_data` from `PrivacyConfig.ready()`. A later app (pricing, add-ons,
delegations, check-in, api) registers its own source from its own `ready()`, in its own
`personal_data.py`, instead of being added here.

Each source: `export(user)` returns plain JSON values; `erase(user, *, now)` runs inside
`privacy.services.delete_account`'s transaction and returns what it did as counts.
"""

import secrets

from allauth.account.models import EmailAddress
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import DelegateProfile, NewsConsentChange, ProfileHistory
from badges.models import CODE_BYTES, Badge
from billing.models import BillingDetails, Invoice, Payment
from exports.models import ExportLog
from mail.models import OutgoingEmail, UndeliverableAddress
from mailings.models import MailingRecipient
from minex.personal_data import PersonalDataSource, plain, register_source, row
from registrations.models import Registration, RegistrationHistory
from visas.models import VisaRequest
from visas.retention import wipe_passport_data

# --- accounts -------------------------------------------------------------------------------

PROFILE_FIELDS = (
    *DelegateProfile.DETAIL_FIELDS,
    *DelegateProfile.NEEDS_FIELDS,
    *DelegateProfile.CONSENT_FIELDS,
    "preferred_language",
    "created_at",
    "updated_at",
)


def account_personal_data(user) -> dict:
    profile = DelegateProfile.objects.filter(user=user).first()
    return {
        "email": user.email,
        "date_joined": plain(user.date_joined),
        "last_login": plain(user.last_login),
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("pk")
        ],
        "profile": row(profile, PROFILE_FIELDS) if profile else None,
        "profile_history": [
            {"at": plain(entry.at), "channel": entry.channel, "changes": entry.changes}
            for entry in ProfileHistory.objects.filter(user=user).order_by("at", "pk")
        ],
        "news_consent_history": [
            {"at": plain(change.at), "consented": change.consented, "source": change.source}
            for change in NewsConsentChange.objects.filter(user=user).order_by("at", "pk")
        ],
    }


def erase_account_personal_data(user, *, now) -> dict:
    """The profile, its history and allauth's addresses go; the user row is anonymised by
    `privacy.services.anonymise_user` afterwards (registrations still point at it)."""
    profiles, _rows = DelegateProfile.objects.filter(user=user).delete()
    history, _rows = ProfileHistory.objects.filter(user=user).delete()
    addresses, _rows = EmailAddress.objects.filter(user=user).delete()
    consent, _rows = NewsConsentChange.objects.filter(user=user).delete()
    return {
        "profiles": profiles,
        "profile_changes": history,
        "email_addresses": addresses,
        "news_consent_changes": consent,
    }


# --- registrations --------------------------------------------------------------------------

REGISTRATION_FIELDS = (
    "reference", "status", "category_name", "price", "currency", "early_bird",
    "title", "first_name", "last_name", "latin_name", "email", "job_title", "organisation",
    "country", "phone", "dietary_needs", "accessibility_needs", "visa_letter_needed",
    "nationality", "how_heard", "consent_privacy_at", "privacy_policy_version",
    "consent_attendee_list", "consent_marketing", "language", "waitlisted_at", "checked_in_at",
    "created_at", "updated_at",
)  # fmt: skip

# What an anonymous registration keeps: event, category and its name, status, price and
# currency, dates. Everything else is the person's and is emptied.
REGISTRATION_ERASED = {
    "title": "", "first_name": "", "last_name": "", "latin_name": "", "email": "",
    "job_title": "", "organisation": "", "country": "", "phone": "", "dietary_needs": "",
    "accessibility_needs": "", "visa_letter_needed": False, "nationality": "", "how_heard": "",
    "consent_attendee_list": False, "consent_marketing": False,
}  # fmt: skip


def registrations_personal_data(user) -> list:
    registrations = (
        Registration.objects.filter(delegate=user)
        .select_related("event")
        .prefetch_related("history")
        .order_by("created_at", "pk")
    )
    return [
        {
            "event": str(registration.event),
            **row(registration, REGISTRATION_FIELDS),
            "history": [
                {
                    "at": plain(entry.at),
                    "action": entry.action,
                    "from_status": entry.from_status,
                    "to_status": entry.to_status,
                    "reason": entry.reason,
                }
                for entry in sorted(registration.history.all(), key=lambda e: (e.at, e.pk))
            ],
        }
        for registration in registrations
    ]


def erase_registrations_personal_data(user, *, now) -> dict:
    """Registrations stay (the event's counts by category and status), emptied of the person;
    their history keeps actions, statuses and times, without reasons or changed values."""
    registrations = Registration.objects.filter(delegate=user)
    anonymised = registrations.update(**REGISTRATION_ERASED, updated_at=now)
    RegistrationHistory.objects.filter(registration__delegate=user).update(reason="", details={})
    return {"registrations_anonymised": anonymised}


# --- mail -----------------------------------------------------------------------------------

MAIL_FIELDS = ("created_at", "sent_at", "status", "kind", "language", "subject", "body_text")


def _addresses(user) -> Q:
    """The account's address and any other one their registrations were made with."""
    addresses = {user.email.lower()} | {
        email.lower()
        for email in Registration.objects.filter(delegate=user).values_list("email", flat=True)
        if email
    }
    query = Q(pk__in=[])
    for address in addresses:
        query |= Q(recipient__iexact=address)
    return query


def mail_personal_data(user) -> dict:
    emails = OutgoingEmail.objects.filter(_addresses(user)).order_by("created_at", "pk")
    refused = UndeliverableAddress.objects.filter(address__iexact=user.email)
    return {
        "emails": [
            # A credential's body (a reset link) is never shown again, even to its recipient.
            {**row(email, MAIL_FIELDS), "body_text": "" if email.secret else email.body_text}
            for email in emails.only(*MAIL_FIELDS, "secret")
        ],
        "undeliverable_address": [
            row(item, ("address", "reason", "smtp_code", "first_seen_at", "last_seen_at"))
            for item in refused
        ],
    }


def erase_mail_personal_data(user, *, now) -> dict:
    """The e-mails to the person's address are deleted; one a worker is sending right now
    loses its content and address (the worker holds its bytes; its result is still
    recorded on the row)."""
    emails = OutgoingEmail.objects.filter(_addresses(user))
    in_flight = emails.filter(status=OutgoingEmail.Status.SENDING).update(
        recipient=f"deleted-{user.pk}@deleted.invalid",
        subject="",
        body_text="",
        body_html="",
        attachments=[],
        prebuilt_message=None,
        render_intent=None,
    )
    deleted, _rows = emails.exclude(status=OutgoingEmail.Status.SENDING).delete()
    refused, _rows = UndeliverableAddress.objects.filter(address__iexact=user.email).delete()
    return {"emails_deleted": deleted, "emails_emptied": in_flight, "undeliverable": refused}


# --- mailings (merged from the mailings branch) ----------------------------------------------


def mailings_personal_data(user) -> list:
    recipients = MailingRecipient.objects.filter(delegate=user).select_related("mailing")
    return [
        {"mailing": recipient.mailing.subject, "email": recipient.email}
        for recipient in recipients.order_by("pk")
    ]


def erase_mailings_personal_data(user, *, now) -> dict:
    """The row stays (each recipient once: a re-send must not reach them), without the
    address."""
    emptied = MailingRecipient.objects.filter(delegate=user).update(
        email=f"deleted-{user.pk}@deleted.invalid"
    )
    return {"mailing_recipients_emptied": emptied}


# --- exports --------------------------------------------------------------------------------


def exports_personal_data(user) -> list:
    """The exports the user made (staff only): the log's rows, never the files' contents."""
    logs = ExportLog.objects.filter(user=user).select_related("event").order_by("created_at")
    return [
        {"event": str(log.event), **row(log, ("created_at", "format", "variant", "row_count"))}
        for log in logs
    ]


def erase_exports_personal_data(user, *, now) -> dict:
    # Export files holding the person among other delegates are deleted on the retention
    # schedule (EXPORTS_FILE_RETENTION_HOURS); the log of who exported stays (accountability).
    return {}


# --- visas ----------------------------------------------------------------------------------

VISA_FIELDS = (
    "status", *VisaRequest.PASSPORT_DATA_FIELDS, "nationality", "entry_date", "exit_date",
    "application_kind", "consulate_city", "employer", "position", "petition_number",
    "created_at", "passport_data_wiped_at",
)  # fmt: skip


def visas_personal_data(user) -> list:
    requests = (
        VisaRequest.objects.filter(registration__delegate=user)
        .select_related("registration")
        .order_by("created_at", "pk")
    )
    return [
        {"registration": request.registration.reference, **row(request, VISA_FIELDS)}
        for request in requests
    ]


def erase_visas_personal_data(user, *, now) -> dict:
    """Passport data and letter files wiped (the retention wipe, at once); the request keeps
    its status, petition number and letter numbers so a letter's verification still answers."""
    requests = VisaRequest.objects.filter(registration__delegate=user)
    wiped = sum(
        wipe_passport_data(request_id, now=now)
        for request_id in requests.order_by("pk").values_list("pk", flat=True)
    )
    requests.update(consulate_city="", employer="", position="")
    return {"visa_requests_wiped": wiped}


# --- billing --------------------------------------------------------------------------------

INVOICE_FIELDS = (
    "kind", "status", "number", "issued_on", "due_on", "currency", "buyer_name",
    "buyer_organisation", "buyer_address", "buyer_country", "buyer_vat_number", "buyer_email",
)  # fmt: skip


def billing_personal_data(user) -> dict:
    details = BillingDetails.objects.filter(registration__delegate=user).select_related(
        "registration"
    )
    invoices = (
        Invoice.objects.filter(registration__delegate=user)
        .exclude(status=Invoice.Status.DISCARDED)
        .order_by("created_at", "pk")
    )
    payments = Payment.objects.filter(invoice__registration__delegate=user).select_related(
        "invoice"
    )
    return {
        "billing_details": [
            {
                "registration": item.registration.reference,
                **row(item, ("invoice_to", "organisation", "address", "country", "vat_number")),
            }
            for item in details.order_by("pk")
        ],
        "invoices": [row(invoice, INVOICE_FIELDS) for invoice in invoices],
        "payments": [
            {
                "invoice": payment.invoice.number,
                **row(payment, ("amount", "currency", "received_on", "method")),
            }
            for payment in payments.order_by("received_on", "pk")
        ],
    }


def erase_billing_personal_data(user, *, now) -> dict:
    """Billing details and draft invoices emptied. Issued invoices and credit notes are kept
    exactly as issued (tax law: in Ireland six years; the database refuses any change to an
    issued document, billing migration's `billing_invoice_frozen` trigger), buyer included."""
    details = BillingDetails.objects.filter(registration__delegate=user).update(
        organisation="", address="", country="", vat_number=""
    )
    invoices = Invoice.objects.filter(registration__delegate=user)
    drafts = invoices.filter(status=Invoice.Status.DRAFT).update(
        buyer_name="",
        buyer_organisation="",
        buyer_address="",
        buyer_country="",
        buyer_vat_number="",
        buyer_email="",
    )
    kept = invoices.filter(status=Invoice.Status.ISSUED).count()
    return {"billing_details_emptied": details, "drafts_emptied": drafts, "invoices_kept": kept}


# --- badges ---------------------------------------------------------------------------------


def badges_personal_data(user) -> list:
    badges = Badge.objects.filter(registration__delegate=user).select_related("registration")
    return [
        {
            "registration": badge.registration.reference,
            **row(badge, ("issued_at", "printed_at", "print_count")),
        }
        for badge in badges.order_by("pk")
    ]


def erase_badges_personal_data(user, *, now) -> dict:
    """Each badge gets a new random code nobody holds: the printed QR and the ticket no
    longer open anything."""
    voided = 0
    for badge in Badge.objects.filter(registration__delegate=user).only("pk"):
        Badge.objects.filter(pk=badge.pk).update(
            code=secrets.token_urlsafe(CODE_BYTES), details_hash=""
        )
        voided += 1
    return {"badges_voided": voided}


SOURCES = (
    PersonalDataSource(
        name="registrations",
        label=_("Registrations"),
        export=registrations_personal_data,
        erase=erase_registrations_personal_data,
        order=20,
        kept=_(
            "Kept without your name or details, as anonymous counts: the event, the category, "
            "the status, the price and the dates."
        ),
    ),
    PersonalDataSource(
        name="visas",
        label=_("Visa invitation letters"),
        export=visas_personal_data,
        erase=erase_visas_personal_data,
        order=30,
        kept=_(
            "Passport data and letter files are wiped; the request's status and the letter "
            "numbers stay, so an issued letter can still be verified."
        ),
    ),
    PersonalDataSource(
        name="billing",
        label=_("Invoices and payments"),
        export=billing_personal_data,
        erase=erase_billing_personal_data,
        order=40,
        kept=_(
            "Issued invoices and credit notes are kept as issued, with the buyer's name, "
            "organisation, address, country, VAT number and e-mail address, as tax law "
            "requires; your billing details and unissued drafts are emptied."
        ),
    ),
    PersonalDataSource(
        name="badges",
        label=_("Badges"),
        export=badges_personal_data,
        erase=erase_badges_personal_data,
        order=50,
        kept=_("The badge's code is voided: its QR code no longer opens anything."),
    ),
    PersonalDataSource(
        name="exports",
        label=_("Exports you made"),
        export=exports_personal_data,
        erase=erase_exports_personal_data,
        order=60,
        kept=_("The log of exports made by staff is kept; export files expire on their own."),
    ),
    PersonalDataSource(
        name="mail",
        label=_("E-mails sent to you"),
        export=mail_personal_data,
        erase=erase_mail_personal_data,
        # First: it finds the e-mails by the registrations' addresses, emptied at 20.
        order=10,
        kept=_("Deleted."),
    ),
    PersonalDataSource(
        name="mailings",
        label=_("Mailings sent to you"),
        export=mailings_personal_data,
        erase=erase_mailings_personal_data,
        order=85,
        kept=_("Kept without your address, so that no mailing reaches you twice."),
    ),
    PersonalDataSource(
        name="account",
        label=_("Your account and profile"),
        export=account_personal_data,
        erase=erase_account_personal_data,
        order=900,
        kept=_("Deleted; the account is anonymised and can no longer be used to sign in."),
    ),
)


def register_sources() -> None:
    for source in SOURCES:
        register_source(source)
