"""Visa invitation letters: each event's filing rules, the delegates' requests, the letters
and who looked at passport data.

The rules that move a request between states live in `visas/services.py` (window rules in
`visas/rules.py`); these models hold the data and the constraints the database enforces
whatever the caller. Passport details are encrypted at rest (`minex.encryption`): a raw
SELECT, a dump or a replica shows Fernet tokens, never a passport number.
"""

import secrets

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_countries.fields import CountryField

from events.models import Event
from minex.encryption import EncryptedDateField, EncryptedTextField
from minex.private_storage import private_storage
from registrations.models import Registration


class VisaPolicy(models.Model):
    """How one event's invitations are filed (the host country's rules) and who invites.

    An event without a policy uses the settings' defaults (`VISA_EARLIEST_DAYS`,
    `VISA_LATEST_DAYS`, `VISA_PROCESSING_WORKING_DAYS`): see `selectors.visa_window`.
    """

    event = models.OneToOneField(
        Event, on_delete=models.CASCADE, related_name="visa_policy", verbose_name=_("event")
    )
    earliest_days_before_entry = models.PositiveSmallIntegerField(
        _("earliest filing, days before entry"),
        default=90,
        help_text=_("The petition can be filed no earlier than this many days before entry."),
    )
    latest_days_before_entry = models.PositiveSmallIntegerField(
        _("latest filing, days before entry"),
        default=14,
        help_text=_("The petition must be filed no later than this many days before entry."),
    )
    processing_working_days = models.PositiveSmallIntegerField(
        _("processing time, working days"),
        default=5,
        help_text=_("How long the migration service takes to give a petition number."),
    )
    inviting_organisation = models.CharField(_("inviting organisation"), max_length=200)
    inviting_organisation_address = models.TextField(
        _("inviting organisation's address"),
        max_length=500,
        blank=True,
        validators=[MaxLengthValidator(500)],
    )
    signatory_name = models.CharField(_("signatory's name"), max_length=150, blank=True)
    signatory_position = models.CharField(_("signatory's position"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("visa policy")
        verbose_name_plural = _("visa policies")
        constraints = [
            models.CheckConstraint(
                condition=Q(earliest_days_before_entry__gt=F("latest_days_before_entry")),
                name="visa_policy_window_not_empty",
                violation_error_message=_(
                    "The earliest filing day must be more days before entry than the latest."
                ),
            ),
        ]

    def __str__(self):
        return str(self.event)


class VisaRequest(models.Model):
    """One delegate's request for an invitation letter for one registration.

    Passport details are asked only here, only when a letter is wanted, and are wiped after
    the event (`passport_data_wiped_at`); the request keeps its status, numbers and dates.
    """

    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        IN_REVIEW = "in_review", _("In review")
        PETITION_FILED = "petition_filed", _("Petition filed")
        LETTER_ISSUED = "letter_issued", _("Letter issued")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    # A registration has at most one request in these statuses (the constraint below).
    OPEN_STATUSES = (
        Status.REQUESTED,
        Status.IN_REVIEW,
        Status.PETITION_FILED,
        Status.LETTER_ISSUED,
    )
    CLOSED_STATUSES = (Status.REFUSED, Status.WITHDRAWN)

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class ApplicationKind(models.TextChoices):
        CONSULATE = "consulate", _("At a consulate or embassy")
        ON_ARRIVAL = "on_arrival", _("On arrival")
        E_VISA = "e_visa", _("E-visa")

    registration = models.ForeignKey(
        Registration,
        on_delete=models.PROTECT,
        related_name="visa_requests",
        verbose_name=_("registration"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.REQUESTED
    )

    # Passport details (encrypted; blank once wiped).
    surname = EncryptedTextField(_("surname (as in the passport)"), blank=True)
    given_names = EncryptedTextField(_("given names (as in the passport)"), blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, blank=True)
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    place_of_birth = EncryptedTextField(_("place of birth"), blank=True)
    nationality = CountryField(_("nationality"), blank=True)
    passport_number = EncryptedTextField(_("passport number"), blank=True)
    passport_issued_on = EncryptedDateField(_("passport issued on"), null=True, blank=True)
    passport_expires_on = EncryptedDateField(_("passport valid until"), null=True, blank=True)
    passport_authority = EncryptedTextField(_("issuing authority"), blank=True)

    # The trip.
    entry_date = models.DateField(_("planned entry date"))
    exit_date = models.DateField(_("planned exit date"))
    application_kind = models.CharField(
        _("where the visa is applied for"),
        max_length=12,
        choices=ApplicationKind.choices,
        default=ApplicationKind.CONSULATE,
    )
    consulate_city = models.CharField(_("consulate's city"), max_length=100, blank=True)
    employer = models.CharField(_("employer"), max_length=200, blank=True)
    position = models.CharField(pgettext_lazy("job", "position"), max_length=150, blank=True)

    petition_number = models.CharField(
        _("petition number"),
        max_length=50,
        blank=True,
        help_text=_("The number the migration service gave the invitation petition."),
    )
    filing_deadline = models.DateField(
        _("filing deadline"),
        help_text=_("The last day the petition can be filed for the planned entry date."),
    )
    too_late = models.BooleanField(
        _("requested too late"),
        default=False,
        help_text=_("Requested after the filing deadline had passed."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    passport_data_wiped_at = models.DateTimeField(
        _("passport data wiped at"), null=True, blank=True
    )

    # Shown only to holders of `visas.view_passport_data`; wiped by the retention task.
    PASSPORT_DATA_FIELDS = (
        "surname", "given_names", "sex", "date_of_birth", "place_of_birth", "nationality",
        "passport_number", "passport_issued_on", "passport_expires_on", "passport_authority",
    )  # fmt: skip
    # What the delegate fills in (the form and `update_passport_details`).
    DELEGATE_FIELDS = PASSPORT_DATA_FIELDS + (
        "entry_date", "exit_date", "application_kind", "consulate_city", "employer", "position",
    )  # fmt: skip

    class Meta:
        verbose_name = _("visa request")
        verbose_name_plural = _("visa requests")
        ordering = ["-created_at", "-pk"]
        permissions = [("view_passport_data", _("Can see passport data"))]
        constraints = [
            # The last line behind request_visa_letter's check: one open request per
            # registration; a refused or withdrawn one does not stop a new request.
            models.UniqueConstraint(
                fields=["registration"],
                condition=~Q(status__in=["refused", "withdrawn"]),
                name="visa_request_one_open_per_registration",
                violation_error_message=_(
                    "This registration already has an open visa letter request."
                ),
            ),
            models.CheckConstraint(
                condition=Q(
                    status__in=[
                        "requested",
                        "in_review",
                        "petition_filed",
                        "letter_issued",
                        "refused",
                        "withdrawn",
                    ]
                ),
                name="visa_request_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(exit_date__gte=F("entry_date")),
                name="visa_request_exit_not_before_entry",
                violation_error_message=_("The exit date cannot be before the entry date."),
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["petition_filed", "letter_issued"])
                | ~Q(petition_number=""),
                name="visa_request_filed_has_petition_number",
            ),
        ]
        indexes = [
            models.Index(fields=["status"], name="visa_request_status_idx"),
            # The secretariat's digest: open requests by filing deadline.
            models.Index(
                fields=["filing_deadline"],
                condition=Q(status__in=["requested", "in_review"]),
                name="visa_request_deadline_idx",
            ),
        ]

    def __str__(self):
        return f"{self.registration} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES

    @property
    def passport_data_wiped(self) -> bool:
        return self.passport_data_wiped_at is not None

    @property
    def number(self) -> str:
        """The request's number, e.g. MX26-AST-V00042: the event part of the registration's
        reference and the request's id. Its letters add their version (MX26-AST-V00042-2), so
        a spreadsheet row can be matched back by this prefix before any letter exists."""
        prefix = self.registration.reference.rsplit("-", 1)[0]
        return f"{prefix}-V{self.pk:05d}"


class VisaRequestHistory(models.Model):
    """One change to a visa request: who, when, from which status to which, and why.

    Written by the service that made the change, in the same transaction. `details` never
    holds passport data: at most the names of the fields that changed and letter numbers.
    """

    class Action(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        REVIEW_STARTED = "review_started", _("Review started")
        PETITION_RECORDED = "petition_recorded", _("Petition number recorded")
        LETTER_ISSUED = "letter_issued", _("Letter issued")
        REFUSED = "refused", _("Refused")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        DETAILS_UPDATED = "details_updated", _("Passport or trip details updated")
        PASSPORT_DATA_WIPED = "passport_data_wiped", _("Passport data wiped")

    request = models.ForeignKey(
        VisaRequest,
        on_delete=models.CASCADE,
        related_name="history",
        verbose_name=_("visa request"),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty when the portal acted on its own."),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    from_status = models.CharField(
        _("from status"), max_length=20, choices=VisaRequest.Status.choices, blank=True
    )
    to_status = models.CharField(
        _("to status"), max_length=20, choices=VisaRequest.Status.choices, blank=True
    )
    reason = models.TextField(
        _("reason"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("visa request history entry")
        verbose_name_plural = _("visa request history")
        ordering = ["request", "at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="visa_request_history_idx")]

    def __str__(self):
        return f"{self.request_id} {self.action} {self.at:%Y-%m-%d %H:%M}"


def new_verification_token() -> str:
    """An unguessable token for a letter's public verification URL (256 bits)."""
    return secrets.token_urlsafe(32)


class VisaLetter(models.Model):
    """One version of a request's invitation letter (a PDF rendered by a worker).

    A change of the delegate's details voids the current version and issues the next; the
    public verification page, found by `verification_token`, then says "void". At most one
    version per request is not void. `rendering_until` is the lease of the worker rendering
    it: a letter still "rendering" after it lost its worker and can be taken again.
    """

    class Status(models.TextChoices):
        TO_RENDER = "to_render", _("To render")
        RENDERING = "rendering", _("Rendering")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        VOID = "void", _("Void")

    request = models.ForeignKey(
        VisaRequest,
        on_delete=models.PROTECT,
        related_name="letters",
        verbose_name=_("visa request"),
    )
    version = models.PositiveSmallIntegerField(_("version"))
    number = models.CharField(_("letter number"), max_length=40)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.TO_RENDER
    )
    # Private: never under MEDIA_URL; served only by views that check who asks.
    file = models.FileField(
        _("file"), storage=private_storage, upload_to="visa-letters/%Y/%m/", blank=True
    )
    verification_token = models.CharField(
        _("verification token"), max_length=64, default=new_verification_token, editable=False
    )
    rendering_until = models.DateTimeField(_("rendering lease until"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("rendering attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    rendered_at = models.DateTimeField(_("rendered at"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided at"), null=True, blank=True)
    void_reason = models.TextField(
        _("why it was voided"), max_length=1000, blank=True, validators=[MaxLengthValidator(1000)]
    )

    class Meta:
        verbose_name = _("visa letter")
        verbose_name_plural = _("visa letters")
        ordering = ["request", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["number"], name="visa_letter_unique_number"),
            models.UniqueConstraint(
                fields=["verification_token"], name="visa_letter_unique_verification_token"
            ),
            models.UniqueConstraint(
                fields=["request", "version"], name="visa_letter_unique_version"
            ),
            models.UniqueConstraint(
                fields=["request"],
                condition=~Q(status="void"),
                name="visa_letter_one_current_per_request",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["to_render", "rendering", "ready", "failed", "void"]),
                name="visa_letter_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="void") | Q(voided_at__isnull=False),
                name="visa_letter_void_has_voided_at",
            ),
        ]
        indexes = [
            # The sweep that takes back letters whose worker died.
            models.Index(
                fields=["rendering_until"],
                condition=Q(status__in=["to_render", "rendering"]),
                name="visa_letter_pending_idx",
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def is_void(self) -> bool:
        return self.status == self.Status.VOID


class PassportDataAccess(models.Model):
    """Someone saw or downloaded passport data: who, when, what and whose.

    Written by `services.log_passport_access` from the admin's change page, the letter and
    petition-list downloads and exports; read-only in the admin.
    """

    class What(models.TextChoices):
        VIEWED_ADMIN = "viewed_admin", _("Viewed in the admin")
        DOWNLOADED_LETTER = "downloaded_letter", _("Downloaded a letter")
        DOWNLOADED_PETITION_LIST = "downloaded_petition_list", _("Downloaded a petition list")
        EXPORTED = "exported", _("Exported")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("user"),
    )
    # Kept when the account is deleted: the log must still say who it was.
    user_email = models.EmailField(_("user's e-mail address"), max_length=254, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    request = models.ForeignKey(
        VisaRequest,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("visa request"),
    )
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("event"),
    )
    what = models.CharField(_("what"), max_length=30, choices=What.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("passport data access")
        verbose_name_plural = _("passport data accesses")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["at"], name="passport_access_at_idx")]

    def __str__(self):
        return f"{self.user_email} {self.what} {self.at:%Y-%m-%d %H:%M}"
