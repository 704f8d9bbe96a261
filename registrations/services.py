"""The registration rules: every change to a registration goes through a function here.

Views, the admin, management commands and tasks all call these, so a rule holds whoever acts.

Locking. Every service that changes how many places are taken locks the `Event` row first and
then the category row(s) (`select_for_update(no_key=True)`), in that order, before it counts
and writes.
The event lock serialises all occupancy changes of one event, so two requests can never both
see the last place as free; the fixed order means two services never wait for each other in
a circle. (Locking the existing registration rows would not stop a new insert, and
`select_for_update().count()` locks nothing.) The locks are FOR NO KEY UPDATE: they exclude
each other, but not the key-share locks PostgreSQL takes when another row references the event
(a new category, a registration's deferred foreign-key check), so they block nothing else.

Side effects. Each change writes a `RegistrationHistory` row and queues its e-mails through
`registrations/emails.py` in the same transaction, as outbox rows carrying only their intent:
nothing is rendered under the event lock. The outbox renders and sends them after commit, so
a rolled-back change sends nothing and a committed one always gets its e-mails.
"""

import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import DelegateProfile, ProfileHistory, User
from accounts.services import update_profile
from events.models import Event
from legal.policies import current_privacy_policy
from minex.countries import full_clean

from . import emails, extensions, rules, selectors
from .models import DelegateCategory, Registration, RegistrationHistory

Status = Registration.Status
Action = RegistrationHistory.Action

# Upper-case letters and digits without the look-alikes 0/O, 1/I/L: a reference read out over
# the phone or copied from a badge cannot be mistyped into another valid one.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
REFERENCE_RANDOM_LENGTH = 5
_REFERENCE_ATTEMPTS = 10

_ONE_ACTIVE_CONSTRAINT = "registration_one_active_per_delegate_per_event"
_UNIQUE_REFERENCE_CONSTRAINT = "registration_unique_reference"

# Fields of a registration the secretariat (and, for some, the delegate) may correct later.
EDITABLE_DETAILS = (
    "title",
    "first_name",
    "last_name",
    "latin_name",
    "email",
    "job_title",
    "organisation",
    "country",
    "phone",
    "dietary_needs",
    "accessibility_needs",
    "visa_letter_needed",
    "nationality",
    "how_heard",
    "consent_attendee_list",
    "consent_marketing",
    "language",
)


class RegistrationError(Exception):
    """A registration rule refused the request. `message` is translated and fit to show."""

    default_message = _("This registration cannot be changed.")

    def __init__(self, message=None):
        self.message = message or self.default_message
        super().__init__(str(self.message))


class RegistrationClosed(RegistrationError):
    default_message = _("Registration for this event is closed.")


class CategoryClosed(RegistrationError):
    default_message = _("Registration in this category is closed.")


class CategoryNotInEvent(RegistrationError):
    default_message = _("This category does not belong to this event.")


class EventFull(RegistrationError):
    default_message = _("This event is full.")


class CategoryFull(EventFull):
    default_message = _("This category is full.")


class ConsentRequired(RegistrationError):
    default_message = _("Please accept the privacy policy to register.")


class ProfileIncomplete(RegistrationError):
    default_message = _("Please fill in your first and last name before registering.")


class CategoryLocked(RegistrationError):
    """The category gate (`extensions.category_refusal`) refused: an invite-only category
    without a code that unlocks it, or a code that cannot be used."""

    default_message = _("This category is by invitation only.")


class InvalidTransition(RegistrationError):
    default_message = _("This registration's status does not allow this action.")


class ReasonRequired(RegistrationError):
    default_message = _("Please give a reason.")


@dataclass(frozen=True)
class Occupancy:
    """Places held (confirmed + pending) in an event and in one of its categories."""

    event_taken: int
    category_taken: int


# ---------------------------------------------------------------------------------------------
# Register


def register_delegate(
    event: Event,
    *,
    delegate: User,
    category: DelegateCategory,
    consent_privacy: bool,
    language: str,
    consent_attendee_list: bool = False,
    consent_marketing: bool = False,
    dietary_needs: str = "",
    accessibility_needs: str = "",
    visa_letter_needed: bool = False,
    nationality: str = "",
    how_heard: str = "",
    acting_user: User | None = None,
    override_window: bool = False,
    override_capacity: bool = False,
    notify: bool = True,
    form_sections: dict | None = None,
) -> tuple[Registration, bool]:
    """Register `delegate` for `event` in `category`; return `(registration, created)`.

    The delegate's details are copied from their profile, the category's name (in English,
    Russian and Kazakh: `category_name_snapshot`) and current price (early-bird if it
    applies) from the category, and the current privacy-policy version with the time of
    consent.

    Rules, checked while holding the event lock, then the category lock:
    - a delegate already holding a pending, confirmed or waitlisted registration for the event
      gets that one back with `created=False` (a replayed or double-clicked submission), and
      nothing else happens;
    - the event must be open for registration and the category open, unless `override_window`
      (the secretariat registering on the delegate's behalf);
    - if the event and the category each have a free place (confirmed and pending count,
      waitlisted do not), the registration is pending in an approval category, else
      confirmed; otherwise it is waitlisted when the event keeps a waitlist, else
      `EventFull`/`CategoryFull` is raised. `override_capacity` admits it even when full.

    Side effects, in order: the registration row; a history row (actor: `acting_user` or the
    delegate; the overrides used are recorded); the delegate's e-mail for the new status
    (received/confirmed/waitlisted) and the secretariat's notification, both through the
    outbox and sent after commit. `form_sections` (the cleaned data of other apps' sections
    of the registration form, `extensions.FormSection`) goes to `registration_created`'s
    receivers, which run before the e-mails are queued. With `notify=False` no e-mail is
    queued: the caller sends them itself, in the same transaction, once it has finished
    (`register_on_behalf`).

    Raises `RegistrationError` subclasses for refusals and `ValidationError` for malformed
    details (lengths, Latin name, visa letter without nationality or without the name in Latin
    letters).
    """
    if not consent_privacy:
        raise ConsentRequired()
    if category.event_id != event.pk:
        raise CategoryNotInEvent()
    profile = getattr(delegate, "delegate_profile", None)
    if profile is None or not (profile.first_name and profile.last_name):
        raise ProfileIncomplete()
    rules.require_visa_letter_details(
        visa_letter_needed=visa_letter_needed,
        nationality=nationality,
        latin_name=profile.latin_name,
    )
    actor = acting_user or delegate

    # No savepoint of its own inside a caller's transaction (the form's, with the profile):
    # nothing in the block raises a refusal, it hands it out instead and it is raised after the
    # block, so a caller that catches it keeps a usable transaction. The insert keeps its own
    # savepoint (a reference drawn twice, a concurrent duplicate), the one savepoint here.
    with transaction.atomic(savepoint=False):
        outcome = _register_under_locks(
            event,
            delegate=delegate,
            category=category,
            profile=profile,
            actor=actor,
            language=language,
            override_window=override_window,
            override_capacity=override_capacity,
            notify=notify,
            form_sections=form_sections or {},
            details={
                "consent_attendee_list": consent_attendee_list,
                "consent_marketing": consent_marketing,
                "dietary_needs": dietary_needs,
                "accessibility_needs": accessibility_needs,
                "visa_letter_needed": visa_letter_needed,
                "nationality": nationality,
                "how_heard": how_heard,
            },
        )
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def _register_under_locks(
    event: Event,
    *,
    delegate: User,
    category: DelegateCategory,
    profile: DelegateProfile,
    actor: User,
    language: str,
    override_window: bool,
    override_capacity: bool,
    notify: bool,
    form_sections: dict,
    details: dict,
) -> tuple[Registration, bool] | RegistrationError | ValidationError:
    """register_delegate's locked part: returns the outcome, or the refusal to raise once the
    caller has left its atomic block. Only the decision and the inserts happen under the
    event lock; the e-mails are rendered after commit (`emails`, through the outbox)."""
    event, category = _lock_event_and_category(event, category)

    existing = selectors.active_registration(event, delegate)
    if existing is not None:
        return existing, False

    now = timezone.now()
    if not override_window:
        if event.registration_state(now) != Event.RegistrationState.OPEN:
            return RegistrationClosed()
        if not category.is_open:
            return CategoryClosed()
    # Invitation codes (the pricing app's gate): after the window, before the places, so a
    # bad code is refused with its own message rather than "full".
    refusal = extensions.category_refusal(
        event, category, form_sections, staff=_is_staff(actor) and actor.pk != delegate.pk
    )
    if refusal:
        return CategoryLocked(refusal)

    occupancy = _occupancy(event, category)
    try:
        status = _status_for_new_registration(event, category, occupancy, override_capacity)
    except RegistrationError as refusal:
        return refusal

    registration = Registration(
        event=event,
        category=category,
        delegate=delegate,
        status=status,
        title=profile.title,
        first_name=profile.first_name,
        last_name=profile.last_name,
        latin_name=profile.latin_name,
        email=delegate.email,
        job_title=profile.job_title,
        organisation=profile.organisation,
        country=profile.country,
        phone=profile.phone,
        **category_name_snapshot(category),
        price=category.current_price(now),
        currency=category.currency,
        early_bird=category.is_early_bird(now),
        **details,
        consent_privacy_at=now,
        privacy_policy_version=current_privacy_policy().version,
        language=language,
        waitlisted_at=now if status == Status.WAITLISTED else None,
    )
    # Field validators (lengths, the Latin name) run here; uniqueness and the other
    # constraints are the database's job, under the locks we hold.
    try:
        full_clean(
            registration,
            exclude=["reference", "event", "category", "delegate"],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as error:
        return error
    try:
        _insert_with_unique_reference(registration)
    except IntegrityError as error:
        # Another transaction registered the same delegate without waiting for our lock
        # (only possible for a caller that bypassed this service): return its row.
        if _constraint_name(error) != _ONE_ACTIVE_CONSTRAINT:
            raise
        return selectors.active_registration(event, delegate), False

    overrides = {}
    if override_window:
        overrides["override_window"] = True
    if override_capacity:
        overrides["override_capacity"] = True
    if actor.pk != delegate.pk:
        overrides["on_behalf_of_delegate"] = True
    _record(registration, actor=actor, action=Action.REGISTERED, to_status=status, **overrides)
    extensions.registration_created.send(
        Registration, registration=registration, actor=actor, form_sections=form_sections
    )

    if notify:
        emails.send_registration_emails(registration)
    return registration, True


def set_registration_price(
    registration: Registration, *, price, early_bird: bool | None = None
) -> Registration:
    """Write the price a registration pays (the pricing app's total of its price lines),
    and whether it includes the early-bird rate. One UPDATE, no history row: called by the
    pricing app inside the transaction that registers (or re-prices) the registration,
    which already holds its locks; billing then invoices this price."""
    fields = {"price": price}
    if early_bird is not None:
        fields["early_bird"] = early_bird
    Registration.objects.filter(pk=registration.pk).update(**fields, updated_at=timezone.now())
    for name, value in fields.items():
        setattr(registration, name, value)
    return registration


@dataclass(frozen=True)
class OnBehalfResult:
    registration: Registration
    created: bool  # False: the delegate already held an active registration for the event
    new_account: bool  # a user account was created for the delegate


def register_on_behalf(
    event: Event,
    *,
    email: str,
    category: DelegateCategory,
    acting_user: User,
    profile: dict,
    language: str = "",
    override_window: bool = False,
    override_capacity: bool = False,
    approve_now: bool = False,
    **registration_options,
) -> OnBehalfResult:
    """The secretariat registers a delegate (a VIP, a phone registration) for `event`.

    The delegate is the user with this e-mail address (case-insensitive), or a new account
    without a password (the delegate can set one through "forgot password"). `profile` holds
    delegate-profile fields (see `accounts.services.update_profile`); the non-empty ones are
    written to the profile first, since the registration copies its details from there, so a
    new delegate's profile is created and an existing one's corrected. Then
    `register_delegate` runs with `acting_user` and the overrides, which its history row
    records; `registration_options` are its remaining keyword arguments (consent, visa
    letter, ...). An empty `language` keeps the delegate's: the registration (and its e-mails)
    takes the profile's preferred language, which stays as it was (English for a new
    delegate); a language given is also written to the profile (`profile` carries it).
    With `approve_now`, a registration left pending approval is then approved through
    `approve_registration` by `acting_user` (a second history row); in any other status
    (confirmed in a category without approval, waitlisted) the choice changes nothing.

    E-mails, queued last, once the registration has its final status: the delegate's e-mail
    for that status (confirmed, not "received", when approved at once), which for a new
    account also says an account was made for them and where to set a password; then the
    secretariat's notification.

    Everything happens in one transaction: a refusal (full, closed) leaves no new account or
    profile behind. Raises what `register_delegate` and `update_profile` raise.
    """
    with transaction.atomic():
        delegate, new_account = delegate_account(
            email,
            profile=profile,
            acting_user=acting_user,
            channel=ProfileHistory.Channel.ON_BEHALF,
        )
        if not language:
            stored = getattr(delegate, "delegate_profile", None)
            language = stored.preferred_language if stored else settings.LANGUAGE_CODE
        registration, created = register_delegate(
            event,
            delegate=delegate,
            category=category,
            language=language,
            acting_user=acting_user,
            override_window=override_window,
            override_capacity=override_capacity,
            notify=False,
            **registration_options,
        )
        if created:
            if approve_now and registration.status == Status.PENDING:
                registration = approve_registration(
                    registration, acting_user=acting_user, notify=False
                )
            emails.send_status_email(registration, new_account=new_account)
            emails.notify_secretariat(registration, change=emails.SecretariatChange.NEW)
    return OnBehalfResult(registration, created, new_account)


def delegate_account(
    email: str, *, profile: dict, acting_user: User, channel: str, fill_only: bool = False
) -> tuple[User, bool]:
    """The user with this e-mail address (case-insensitive), or a new account without a
    password (the person sets one through "forgot password"); and whether it is new.

    `profile` holds delegate-profile fields; the non-empty ones are written to the profile
    (`accounts.services.update_profile`, its history naming `channel` and `acting_user`),
    so a new person's profile is created. With `fill_only` only the fields the profile has
    empty are written: someone registering a colleague (a focal point) completes an
    existing person's profile but never overwrites what that person wrote themselves.
    Locks the user row (through `update_profile`) and returns the user with its profile.
    Call inside a transaction."""
    email = User.objects.normalize_email(email).strip().lower()
    delegate = User.objects.filter(email__iexact=email).first()
    new_account = delegate is None
    if new_account:
        delegate = User.objects.create_user(email)  # unusable password
    fields = {name: value for name, value in profile.items() if value not in ("", None)}
    if fill_only and not new_account:
        stored = DelegateProfile.objects.filter(user=delegate).first()
        if stored is not None:
            fields = {
                name: value for name, value in fields.items() if not getattr(stored, name, "")
            }
    if fields:
        update_profile(delegate, channel=channel, acting_user=acting_user, **fields)
    delegate = User.objects.select_related("delegate_profile").get(pk=delegate.pk)
    return delegate, new_account


# ---------------------------------------------------------------------------------------------
# Several people at once (a delegation, a sponsor's passes)


class NotEnoughPlaces(EventFull):
    default_message = _("There are not enough places left for everyone.")


class AlreadyRegistered(RegistrationError):
    default_message = _("This person is already registered for this forum.")


@dataclass(frozen=True)
class Applicant:
    """One person of a group registered together (`register_several`)."""

    email: str
    profile: dict  # delegate-profile fields (first_name, last_name, title, job_title, ...)
    category: DelegateCategory
    form_sections: dict = field(default_factory=dict)  # as register_delegate's
    options: dict = field(default_factory=dict)  # register_delegate's other keyword options


def register_several(
    event: Event,
    applicants: list[Applicant],
    *,
    acting_user: User,
    consent_privacy: bool,
    language: str,
    channel: str,
    notify: bool = True,
) -> list[OnBehalfResult]:
    """Register several people for `event` at once, all or nothing (a delegation).

    Each person is found by e-mail or gets a new account (`delegate_account` with
    `fill_only`: an existing person's own details are never overwritten). The places are
    decided for all of them together, under the locks, in the documented order: the users'
    rows (by e-mail), the event row, then the categories' rows by id. Every person must find
    a place (confirmed, or pending in an approval category): nobody is waitlisted. If the
    event or a category has fewer free places than the group needs, `NotEnoughPlaces` says
    how many are left and where; if one of them already holds a registration for the event,
    `AlreadyRegistered` names them; if the event's or a category's registration is closed,
    `RegistrationClosed` / `CategoryClosed`. A refusal raises inside the transaction, so
    nothing at all is saved, no account either.

    Then each registration is made by `register_delegate` (its rules, history row and
    `registration_created`, with `acting_user` as the actor), in the applicants' order.
    A new person's e-mails are in `language` (the page's); someone who had a profile
    already gets theirs in their preferred language. With `notify` each person gets their
    e-mail (`announce_registration`); a caller that first adds its own rows (a delegation's
    members, whose copies go to the focal point) passes `notify=False` and announces them.
    """
    if not consent_privacy:
        raise ConsentRequired()
    if not applicants:
        raise ValidationError(_("Add at least one person."))
    emails_seen = Counter(
        User.objects.normalize_email(applicant.email).strip().lower() for applicant in applicants
    )
    repeated = sorted(email for email, times in emails_seen.items() if times > 1)
    if repeated:
        raise ValidationError(
            _("%(email)s appears more than once.") % {"email": ", ".join(repeated)}
        )
    for applicant in applicants:
        if applicant.category.event_id != event.pk:
            raise CategoryNotInEvent()
    with transaction.atomic():
        people = {}
        for applicant in sorted(applicants, key=lambda each: each.email.strip().lower()):
            had_profile = (
                DelegateProfile.objects.filter(user__email__iexact=applicant.email.strip())
                .values_list("preferred_language", flat=True)
                .first()
            )
            delegate, new_account = delegate_account(
                applicant.email,
                profile=applicant.profile,
                acting_user=acting_user,
                channel=channel,
                fill_only=True,
            )
            profile = getattr(delegate, "delegate_profile", None)
            if profile is None or not (profile.first_name and profile.last_name):
                raise ProfileIncomplete(
                    _("Please give the first and last name of %(email)s.")
                    % {"email": applicant.email}
                )
            people[applicant.email] = (delegate, new_account, had_profile or language)

        locked_event = (
            Event.objects.select_for_update(no_key=True, of=("self",))
            .select_related("forum")
            .get(pk=event.pk)
        )
        category_ids = sorted({applicant.category.pk for applicant in applicants})
        categories = {
            category.pk: category
            for category in DelegateCategory.objects.select_for_update(no_key=True)
            .filter(pk__in=category_ids)
            .order_by("pk")
        }
        _require_group_places(locked_event, categories, applicants, people)

        results = []
        for applicant in applicants:
            delegate, new_account, person_language = people[applicant.email]
            try:
                registration, _created = register_delegate(
                    locked_event,
                    delegate=delegate,
                    category=categories[applicant.category.pk],
                    consent_privacy=True,
                    language=person_language,
                    acting_user=acting_user,
                    notify=False,
                    form_sections=applicant.form_sections,
                    **applicant.options,
                )
            except RegistrationError as refusal:
                # A refusal about one person (their code, the category's invitation) names
                # them: the form shows several people.
                raise RegistrationError(
                    _("%(email)s: %(message)s")
                    % {"email": applicant.email, "message": refusal.message}
                ) from refusal
            except ValidationError as error:
                raise ValidationError(
                    [
                        _("%(email)s: %(message)s") % {"email": applicant.email, "message": m}
                        for m in error.messages
                    ]
                ) from error
            results.append(OnBehalfResult(registration, True, new_account))
        if notify:
            for result in results:
                announce_registration(result)
    return results


def _require_group_places(
    event: Event, categories: dict[int, DelegateCategory], applicants: list[Applicant], people
) -> None:
    """register_several's decision, under the event and category locks: the window, the
    people already registered, and enough places for all. Raises the refusal."""
    if event.registration_state() != Event.RegistrationState.OPEN:
        raise RegistrationClosed()
    for category in categories.values():
        if not category.is_open:
            raise CategoryClosed(
                _("Registration in %(category)s is closed.") % {"category": category.name}
            )
    delegates = [person[0] for person in people.values()]
    already = (
        Registration.objects.filter(
            event=event, delegate__in=delegates, status__in=Registration.ACTIVE_STATUSES
        )
        .values_list("email", flat=True)
        .first()
    )
    if already is not None:
        raise AlreadyRegistered(
            _("%(email)s is already registered for this forum.") % {"email": already}
        )
    taken = Counter(
        {
            row["category"]: row["taken"]
            for row in Registration.objects.filter(
                event=event, status__in=Registration.PLACE_HOLDING_STATUSES
            )
            .values("category")
            .annotate(taken=Count("pk"))
            .order_by()
        }
    )
    needed = Counter(applicant.category.pk for applicant in applicants)
    event_left = max(event.capacity - sum(taken.values()), 0)
    for category_id, count in sorted(needed.items()):
        category = categories[category_id]
        if category.capacity is None:
            continue
        left = max(category.capacity - taken[category_id], 0)
        if count > left:
            raise NotEnoughPlaces(
                ngettext(
                    "Only %(count)d place is left in %(category)s.",
                    "Only %(count)d places are left in %(category)s.",
                    left,
                )
                % {"count": left, "category": category.name}
            )
    if sum(needed.values()) > event_left:
        raise NotEnoughPlaces(
            ngettext(
                "Only %(count)d place is left at this forum.",
                "Only %(count)d places are left at this forum.",
                event_left,
            )
            % {"count": event_left}
        )


def announce_registration(result: OnBehalfResult) -> None:
    """The e-mails of a registration made on someone's behalf (by `register_several`'s caller
    once its own rows exist): the person's e-mail for the registration's status (saying an
    account was made for them when it is new, with copies to whoever
    `extensions.email_copies` names) and the secretariat's notification."""
    emails.send_status_email(
        result.registration, new_account="focal_point" if result.new_account else False
    )
    emails.notify_secretariat(result.registration, change=emails.SecretariatChange.NEW)


# ---------------------------------------------------------------------------------------------
# Secretariat decisions


def approve_registration(
    registration: Registration, *, acting_user: User, notify: bool = True
) -> Registration:
    """Confirm a pending registration.

    The place is already held (pending counts), so approval changes no occupancy; it still
    takes the event and category locks so it cannot interleave with a cancellation.

    Side effects, in order: status → confirmed; a history row; the delegate's confirmation
    e-mail with the calendar attachment (not with `notify=False`: the caller sends one e-mail
    for the whole change, as `register_on_behalf` does). Raises `InvalidTransition` unless
    pending.
    """
    with transaction.atomic():
        registration = _lock_registration(registration)
        _require_status(registration, Status.PENDING)
        _change_status(registration, Status.CONFIRMED, actor=acting_user, action=Action.APPROVED)
        if notify:
            emails.send_status_email(registration)
    return registration


def reject_registration(
    registration: Registration, *, reason: str, acting_user: User
) -> Registration:
    """Reject a pending or waitlisted registration, with a reason the delegate will read.

    Side effects, in order: status → rejected; a history row with the reason; the delegate's
    rejection e-mail quoting the reason; if the registration held a place, the waitlist is
    promoted into it (see `_promote_waitlist`) in the same transaction. Raises
    `ReasonRequired` without a reason and `InvalidTransition` from any other status.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    with transaction.atomic():
        registration = _lock_registration(registration)
        _require_status(registration, Status.PENDING, Status.WAITLISTED)
        freed_place = registration.holds_place
        _change_status(
            registration, Status.REJECTED, actor=acting_user, action=Action.REJECTED, reason=reason
        )
        emails.send_status_email(registration, reason=reason)
        if freed_place:
            _promote_waitlist(registration.event, cause="rejection")
    return registration


def cancel_registration(
    registration: Registration, *, acting_user: User | None, reason: str = ""
) -> Registration:
    """Cancel a pending, confirmed or waitlisted registration (by the delegate or the
    secretariat).

    Side effects, in order: status → cancelled; a history row; the delegate's cancellation
    e-mail; the secretariat's notification when someone other than staff cancelled; if the
    registration held a place, the waitlist is promoted into it in the same transaction.
    Raises `InvalidTransition` if already cancelled or rejected.
    """
    with transaction.atomic():
        registration = _lock_registration(registration)
        _require_status(registration, *Registration.ACTIVE_STATUSES)
        freed_place = registration.holds_place
        _change_status(
            registration,
            Status.CANCELLED,
            actor=acting_user,
            action=Action.CANCELLED,
            reason=(reason or "").strip(),
        )
        emails.send_status_email(registration)
        if not _is_staff(acting_user):
            emails.notify_secretariat(registration, change=emails.SecretariatChange.CANCELLED)
        if freed_place:
            _promote_waitlist(registration.event, cause="cancellation")
    return registration


def promote_registration(
    registration: Registration, *, acting_user: User, override_capacity: bool = False
) -> Registration:
    """Move a waitlisted registration off the waitlist by hand, ahead of its turn.

    It becomes pending in an approval category, else confirmed. It needs a free place in
    the event and its category unless `override_capacity` (recorded in the history).

    Side effects, in order: the status change; a history row; the delegate's "promoted"
    e-mail (with the calendar attachment when confirmed). Raises `InvalidTransition` unless
    waitlisted, `EventFull`/`CategoryFull` when there is no place.
    """
    with transaction.atomic():
        registration = _lock_registration(registration)
        _require_status(registration, Status.WAITLISTED)
        if not override_capacity:
            occupancy = _occupancy(registration.event, registration.category)
            _require_place(registration.event, registration.category, occupancy)
        details = {"override_capacity": True} if override_capacity else {}
        _promote(registration, actor=acting_user, **details)
    return registration


def check_in_registration(
    registration: Registration, *, acting_user: User, at=None, **details
) -> Registration:
    """Record that a confirmed delegate arrived at the event, now or `at` (a door's clock, for
    a check-in scanned offline and synced later).

    Side effects: `checked_in_at` set; a history row (with `details`, e.g. the scan). No
    e-mail. Raises `InvalidTransition` unless confirmed or if already checked in (the message
    says when) — except that a check-in `at` an earlier moment than the one recorded moves it
    earlier (two doors offline: the first scan wins), with a history row naming the old time.
    Locks only the registration's row (no place changes hands).
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("event")
            .get(pk=registration.pk)
        )
        _require_status(registration, Status.CONFIRMED)
        if registration.checked_in_at is not None:
            if at is None or at >= registration.checked_in_at:
                raise InvalidTransition(
                    _("Already checked in at %(time)s.")
                    % {
                        "time": registration.checked_in_at.astimezone(
                            registration.event.tz
                        ).strftime("%H:%M")
                    }
                )
            details["moved_from"] = registration.checked_in_at.isoformat()
        registration.checked_in_at = at or timezone.now()
        registration.save(update_fields=["checked_in_at", "updated_at"])
        _record(
            registration,
            actor=acting_user,
            action=Action.CHECKED_IN,
            from_status=registration.status,
            to_status=registration.status,
            **details,
        )
        extensions.registration_checked_in.send(
            sender=Registration, registration=registration, actor=acting_user
        )
    return registration


def undo_check_in(
    registration: Registration, *, acting_user: User, reason: str = "", **details
) -> Registration:
    """Clear a registration's check-in (a badge scanned by mistake at the entrance).

    Side effects: `checked_in_at` emptied; a history row naming the time it held. Raises
    `InvalidTransition` if the registration is not checked in. Locks only its row.
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
        if registration.checked_in_at is None:
            raise InvalidTransition(_("This registration is not checked in."))
        was = registration.checked_in_at
        registration.checked_in_at = None
        registration.save(update_fields=["checked_in_at", "updated_at"])
        _record(
            registration,
            actor=acting_user,
            action=Action.CHECK_IN_UNDONE,
            from_status=registration.status,
            to_status=registration.status,
            reason=reason,
            checked_in_at=was.isoformat(),
            **details,
        )
    return registration


def update_registration_details(
    registration: Registration, *, acting_user: User, **changes
) -> Registration:
    """Correct a registration's delegate details (any of `EDITABLE_DETAILS`).

    The status, category and places are untouched, so no event lock is needed; the
    registration row is locked against a concurrent edit. Values are validated like the
    model's fields; an edit that changes nothing writes nothing.

    Side effects, in order: the changed fields saved; a history row whose details hold each
    field's old and new value; the secretariat's notification when someone other than staff
    (the delegate) made the change. Raises `TypeError` for fields that are not editable,
    `ValidationError` for bad values, `InvalidTransition` for a cancelled or rejected
    registration.
    """
    with transaction.atomic():
        registration, changed = _save_details(registration, changes)
        if changed:
            _record_details_change(registration, actor=acting_user, changed=changed)
    return registration


def _save_details(registration: Registration, changes: dict) -> tuple[Registration, dict]:
    """Lock the registration row, validate and save `changes`; return the registration and
    `{field: {"old": ..., "new": ...}}` for the fields that really changed. Call in a
    transaction."""
    not_editable = set(changes) - set(EDITABLE_DETAILS)
    if not_editable:
        raise TypeError(f"Not editable registration details: {', '.join(sorted(not_editable))}")
    registration = (
        Registration.objects.select_for_update(no_key=True, of=("self",))
        .select_related("event__forum", "category")
        .get(pk=registration.pk)
    )
    _require_status(registration, *Registration.ACTIVE_STATUSES)
    old = {name: getattr(registration, name) for name in changes}
    for name, value in changes.items():
        setattr(registration, name, value)
    unchanged = [f.name for f in Registration._meta.fields if f.name not in changes]
    full_clean(registration, exclude=unchanged, validate_unique=False, validate_constraints=False)
    rules.require_visa_letter_details(
        visa_letter_needed=registration.visa_letter_needed,
        nationality=registration.nationality,
        latin_name=registration.latin_name,
    )
    changed = {
        name: {"old": _json_value(old[name]), "new": _json_value(getattr(registration, name))}
        for name in changes
        if _json_value(old[name]) != _json_value(getattr(registration, name))
    }
    if changed:
        registration.save(update_fields=[*changed, "updated_at"])
    return registration, changed


def _record_details_change(
    registration: Registration, *, actor: User, changed: dict, **details
) -> None:
    """The history row of a details change, and the secretariat's notification when the
    delegate (not staff) made it."""
    _record(
        registration,
        actor=actor,
        action=Action.DETAILS_UPDATED,
        from_status=registration.status,
        to_status=registration.status,
        changes=changed,
        **details,
    )
    if not _is_staff(actor):
        emails.notify_secretariat(
            registration, change=emails.SecretariatChange.DETAILS_UPDATED, changes=changed
        )


def resend_registration_email(registration: Registration, *, acting_user: User) -> Registration:
    """Send the delegate the e-mail for their registration's current status again (a lost
    confirmation, a new address): received, confirmed (with the calendar file), waitlisted
    (with the position), rejected (quoting the last rejection's reason) or cancelled.

    Side effects, in order: a history row; the e-mail through the outbox, sent after commit.
    Changes nothing else, so it takes only the registration's row lock (the status cannot
    change under it while the e-mail is rendered).
    """
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update(no_key=True, of=("self",))
            .select_related("event__forum", "category")
            .get(pk=registration.pk)
        )
        reason = ""
        if registration.status == Status.REJECTED:
            last_rejection = (
                registration.history.filter(action=Action.REJECTED).order_by("-at", "-pk").first()
            )
            reason = last_rejection.reason if last_rejection else ""
        _record(
            registration,
            actor=acting_user,
            action=Action.EMAIL_RESENT,
            from_status=registration.status,
            to_status=registration.status,
            template=emails.status_template(registration),
        )
        emails.send_status_email(registration, reason=reason)
    return registration


# ---------------------------------------------------------------------------------------------
# Capacity


def change_event_capacity(event: Event, *, capacity: int, acting_user: User) -> list[Registration]:
    """Set the event's total capacity; return the registrations promoted as a result.

    Lowering it below the places already taken removes nobody: it only stops new
    confirmations until enough places free up. Raising it promotes the waitlist into the new
    places in the same transaction (history rows and e-mails as in `_promote_waitlist`).
    """
    if capacity < 0:
        raise ValidationError({"capacity": _("The capacity cannot be negative.")})
    with transaction.atomic():
        event = Event.objects.select_for_update(no_key=True).get(pk=event.pk)
        event.capacity = capacity
        event.save(update_fields=["capacity", "updated_at"])
        return _promote_waitlist(event, cause="event_capacity", actor=acting_user)


def change_category_capacity(
    category: DelegateCategory, *, capacity: int | None, acting_user: User
) -> list[Registration]:
    """Set a category's capacity (None: limited only by the event); return the registrations
    promoted as a result. Locks the event, then the category; promotes as
    `change_event_capacity` does."""
    if capacity is not None and capacity < 0:
        raise ValidationError({"capacity": _("The capacity cannot be negative.")})
    with transaction.atomic():
        event, category = _lock_event_and_category(category.event, category)
        category.capacity = capacity
        category.save(update_fields=["capacity", "updated_at"])
        return _promote_waitlist(event, cause="category_capacity", actor=acting_user)


def _promote_waitlist(event: Event, *, cause: str, actor: User | None = None) -> list[Registration]:
    """Fill the event's free places from its waitlist; return the promoted registrations.

    The caller holds the event lock. Waitlisted registrations are taken oldest first
    (`waitlisted_at`, then id); one whose category is full is skipped (it keeps its position)
    and the next one that fits is promoted, until the event has no free place. Each promoted
    registration becomes pending in an approval category, else confirmed, gets a history row
    (actor: `actor`, or none when the portal acted on its own; `cause` in the details) and
    its "promoted" e-mail.

    Nobody is promoted once the event is over (`event.is_past`): a "a place came free for you"
    e-mail about a forum that has already taken place is nonsense, and a cancellation or a
    capacity correction made afterwards (tidying up the records) must not send one. The
    secretariat can still promote a registration explicitly (`promote_registration`).
    """
    if event.is_past:
        return []
    categories = {
        category.pk: category
        for category in DelegateCategory.objects.select_for_update(no_key=True)
        .filter(event=event)
        .order_by("pk")
    }
    taken_by_category = Counter(
        {
            row["category"]: row["taken"]
            for row in Registration.objects.filter(
                event=event, status__in=Registration.PLACE_HOLDING_STATUSES
            )
            .values("category")
            .annotate(taken=Count("pk"))
            .order_by()
        }
    )
    free = event.capacity - sum(taken_by_category.values())
    promoted: list[Registration] = []
    if free <= 0:
        return promoted
    # No row locks on the waitlist: every status change holds the event lock we hold, and
    # detail edits touch other columns. Read in chunks: most promotions stop at the first rows.
    waitlist = (
        Registration.objects.filter(event=event, status=Status.WAITLISTED)
        .order_by("waitlisted_at", "pk")
        .iterator(chunk_size=50)
    )
    for registration in waitlist:
        category = categories[registration.category_id]
        if category.capacity is not None and taken_by_category[category.pk] >= category.capacity:
            continue
        registration.event = event
        registration.category = category
        _promote(registration, actor=actor, cause=cause)
        promoted.append(registration)
        taken_by_category[category.pk] += 1
        free -= 1
        if free <= 0:
            break
    return promoted


# ---------------------------------------------------------------------------------------------
# Helpers


def _lock_event_and_category(
    event: Event, category: DelegateCategory
) -> tuple[Event, DelegateCategory]:
    """Lock the event row, then the category row: the one order every service uses."""
    # of=("self",): the forum is joined for the reference and the e-mails, but only the event
    # row is locked; locking the forum would serialise registrations for all its events.
    event = (
        Event.objects.select_for_update(no_key=True, of=("self",))
        .select_related("forum")
        .get(pk=event.pk)
    )
    category = DelegateCategory.objects.select_for_update(no_key=True).get(pk=category.pk)
    return event, category


def _lock_registration(registration: Registration) -> Registration:
    """Lock event, category, then the registration, and return it re-read under the locks
    (its status may have changed since the caller loaded it)."""
    current = Registration.objects.only("event_id", "category_id").get(pk=registration.pk)
    event, category = _lock_event_and_category(
        Event(pk=current.event_id), DelegateCategory(pk=current.category_id)
    )
    registration = Registration.objects.select_for_update(no_key=True).get(pk=registration.pk)
    registration.event = event
    registration.category = category
    return registration


def _occupancy(event: Event, category: DelegateCategory) -> Occupancy:
    """Count places held in the event and the category: one query. Call under the locks."""
    counts = Registration.objects.filter(
        event=event, status__in=Registration.PLACE_HOLDING_STATUSES
    ).aggregate(event_taken=Count("pk"), category_taken=Count("pk", filter=Q(category=category)))
    return Occupancy(**counts)


def _has_place(event: Event, category: DelegateCategory, occupancy: Occupancy) -> bool:
    if occupancy.event_taken >= event.capacity:
        return False
    return category.capacity is None or occupancy.category_taken < category.capacity


def _require_place(event: Event, category: DelegateCategory, occupancy: Occupancy) -> None:
    if occupancy.event_taken >= event.capacity:
        raise EventFull()
    if category.capacity is not None and occupancy.category_taken >= category.capacity:
        raise CategoryFull()


def _status_for_new_registration(
    event: Event, category: DelegateCategory, occupancy: Occupancy, override_capacity: bool
) -> str:
    if override_capacity or _has_place(event, category, occupancy):
        return Status.PENDING if category.requires_approval else Status.CONFIRMED
    if event.waitlist_enabled:
        return Status.WAITLISTED
    _require_place(event, category, occupancy)
    raise EventFull()  # unreachable: _require_place raised; kept for the type checker


def _promote(registration: Registration, *, actor: User | None, **details) -> None:
    """Waitlisted → pending or confirmed, with its history row and e-mail. Caller holds locks."""
    new_status = Status.PENDING if registration.category.requires_approval else Status.CONFIRMED
    _change_status(registration, new_status, actor=actor, action=Action.PROMOTED, **details)
    emails.send_promoted_email(registration)


def _change_status(
    registration: Registration,
    new_status: str,
    *,
    actor: User | None,
    action: str,
    reason: str = "",
    **details,
) -> None:
    old_status = registration.status
    registration.status = new_status
    registration.save(update_fields=["status", "updated_at"])
    _record(
        registration,
        actor=actor,
        action=action,
        from_status=old_status,
        to_status=new_status,
        reason=reason,
        **details,
    )
    extensions.registration_status_changed.send(
        Registration,
        registration=registration,
        from_status=old_status,
        to_status=new_status,
        actor=actor,
        action=action,
    )


def _record(
    registration: Registration,
    *,
    actor: User | None,
    action: str,
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
    **details,
) -> RegistrationHistory:
    return RegistrationHistory.objects.create(
        registration=registration,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        reason=reason,
        details=details,
    )


def _require_status(registration: Registration, *allowed: str) -> None:
    if registration.status not in allowed:
        raise InvalidTransition(
            _("This registration is %(status)s; this action is not possible.")
            % {"status": registration.get_status_display().lower()}
        )


def category_name_snapshot(category: DelegateCategory) -> dict[str, str]:
    """The category's name in English, Russian and Kazakh, as a registration keeps it
    (`category_name`, `category_name_ru`, `category_name_kk`): a later rename of the category
    does not rewrite what the delegate registered in. A language the category has no name in
    stays empty, and the registration shows the English name there
    (`Registration.category_name_in_language`). Whatever sets or changes a registration's
    category writes these fields."""
    return {
        "category_name": category.name_en or category.name,
        "category_name_ru": category.name_ru or "",
        "category_name_kk": category.name_kk or "",
    }


def _insert_with_unique_reference(registration: Registration) -> None:
    """Save a new registration under a fresh random reference, drawing again on the (rare)
    collision. Each attempt runs in a savepoint so a collision leaves the transaction usable."""
    for _attempt in range(_REFERENCE_ATTEMPTS):
        registration.reference = new_reference(registration.event)
        try:
            with transaction.atomic():
                registration.save(force_insert=True)
            return
        except IntegrityError as error:
            if _constraint_name(error) != _UNIQUE_REFERENCE_CONSTRAINT:
                raise
            registration.pk = None
    raise RuntimeError("Could not draw an unused registration reference.")


def new_reference(event: Event) -> str:
    """A reference like MX26-AST-7K3QF: the event's year, its forum's code, and five random
    characters from an unambiguous alphabet (31**5, about 28.6 million, per prefix), drawn
    with `secrets` so references cannot be guessed from one another."""
    forum = event.forum
    code = forum.code or "".join(ch for ch in forum.slug.upper() if ch.isalpha())[:3] or "MX"
    random_part = "".join(
        secrets.choice(REFERENCE_ALPHABET) for _position in range(REFERENCE_RANDOM_LENGTH)
    )
    return f"MX{event.year % 100:02d}-{code}-{random_part}"


def _constraint_name(error: IntegrityError) -> str | None:
    diag = getattr(error.__cause__, "diag", None)
    return getattr(diag, "constraint_name", None)


def _is_staff(user: User | None) -> bool:
    return bool(user and user.is_staff)


def _json_value(value):
    """A field value as it is stored in the history's JSON (countries and phones as text)."""
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


# ---------------------------------------------------------------------------------------------
# The delegate's own changes

# What a delegate may change online; the category and the name go through the secretariat.
DELEGATE_EDITABLE_DETAILS = (
    "job_title",
    "organisation",
    "phone",
    "dietary_needs",
    "accessibility_needs",
    "visa_letter_needed",
    "nationality",
)


class ChangesClosed(RegistrationError):
    default_message = _(
        "Online changes are closed for this forum. Please write to the secretariat."
    )


def delegate_may_change(registration: Registration, now=None) -> bool:
    """A delegate edits their own registration while it is active and the event's
    registration is open; after that, changes go through the secretariat."""
    return registration.is_active and (
        registration.event.registration_state(now) == Event.RegistrationState.OPEN
    )


def change_own_registration(
    registration: Registration, *, delegate: User, **changes
) -> Registration:
    """The delegate changes their own details (`DELEGATE_EDITABLE_DETAILS` only).

    Refused with `ChangesClosed` once the event's registration has closed or the registration
    is no longer active. The details that are also profile details (job title, organisation,
    phone, nationality, dietary and accessibility needs) and really changed are written to the
    delegate's profile too (its history names this channel), so the next forum's form is
    pre-filled with them; an unchanged field never overwrites the profile (which may
    be newer than this registration).

    Side effects, in one transaction, in order: the registration's fields saved; the profile
    updated (`accounts.services.update_profile`); a history row with old and new values that
    names the profile fields written (`profile_updated`); the secretariat notified.

    Locking: the delegate's user row first (as `update_profile` takes it; the documented
    order is user row, event, category, registration), then the registration row.
    """
    not_allowed = set(changes) - set(DELEGATE_EDITABLE_DETAILS)
    if not_allowed:
        raise TypeError(f"Not editable by the delegate: {', '.join(sorted(not_allowed))}")
    if registration.delegate_id != delegate.pk:
        raise PermissionError("A delegate changes only their own registration.")
    if not delegate_may_change(registration):
        raise ChangesClosed()
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).only("pk").get(pk=delegate.pk)
        registration, changed = _save_details(registration, changes)
        if not changed:
            return registration
        profile_changes = {
            name: getattr(registration, name)
            for name in changed
            if name in (*DelegateProfile.DETAIL_FIELDS, *DelegateProfile.NEEDS_FIELDS)
        }
        if profile_changes:
            update_profile(
                delegate,
                channel=ProfileHistory.Channel.REGISTRATION_CHANGE,
                acting_user=delegate,
                **profile_changes,
            )
        _record_details_change(
            registration, actor=delegate, changed=changed, profile_updated=sorted(profile_changes)
        )
    return registration


# ---------------------------------------------------------------------------------------------
# The delegate's own profile


def update_own_profile(delegate: User, **fields) -> DelegateProfile:
    """The delegate changes their own profile on its page (`accounts.services.update_profile`,
    which validates, saves and writes the profile's history row).

    Their preferred language is the language of their e-mails: when it changes, every active
    registration of theirs takes it too, since a registration's e-mails are written in the
    registration's language; each such registration gets a history row (old → new language).
    The secretariat is not notified of a language change.

    Locking: the delegate's user row (taken by `update_profile`), then each registration row,
    the documented order. Raises what `update_profile` raises.
    """
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).only("pk").get(pk=delegate.pk)
        before = DelegateProfile.objects.filter(user=delegate).only("preferred_language").first()
        profile = update_profile(
            delegate, channel=ProfileHistory.Channel.PROFILE_PAGE, acting_user=delegate, **fields
        )
        language = profile.preferred_language
        if before is not None and before.preferred_language != language:
            # Only the language changes: the other details' rules (a visa letter's) are not
            # this page's business, so the rows are written directly rather than re-validated.
            active = (
                Registration.objects.select_for_update(no_key=True)
                .filter(delegate=delegate, status__in=Registration.ACTIVE_STATUSES)
                .exclude(language=language)
                .order_by("pk")
            )
            for registration in active:
                old_language = registration.language
                registration.language = language
                registration.save(update_fields=["language", "updated_at"])
                _record(
                    registration,
                    actor=delegate,
                    action=Action.DETAILS_UPDATED,
                    from_status=registration.status,
                    to_status=registration.status,
                    changes={"language": {"old": old_language, "new": language}},
                    profile_language=True,
                )
    return profile


# ---------------------------------------------------------------------------------------------
# Substitution: a registration handed to another person

# The snapshot of the person a registration copies from their profile, replaced when it is
# handed over; the previous person's special personal data and consents go with them.
_PERSON_FIELDS = (
    "title", "first_name", "last_name", "latin_name", "job_title", "organisation", "country",
    "phone",
)  # fmt: skip


class SubstitutionClosed(RegistrationError):
    default_message = _(
        "Registrations for this forum can no longer be handed over to someone else. "
        "Please write to the secretariat."
    )


class AlreadyCheckedIn(RegistrationError):
    default_message = _(
        "This delegate has already checked in at the forum: the registration can no longer "
        "be handed over."
    )


class SamePerson(RegistrationError):
    default_message = _("This registration already belongs to this person.")


def substitution_deadline(event: Event):
    """Until when a registration of `event` may be handed over: the event's own
    `substitution_cutoff`, else the close of its registration, else the start of its first
    day on its own clock (None: no such date is known)."""
    if event.substitution_cutoff:
        return event.substitution_cutoff
    if event.registration_closes_at:
        return event.registration_closes_at
    return timezone.make_aware(
        timezone.datetime.combine(event.start_date, timezone.datetime.min.time()), event.tz
    )


def may_substitute(registration: Registration, now=None) -> bool:
    """Whether the registration can be handed over now (what the pages offer): active, not
    checked in, before the event's substitution deadline."""
    if not registration.is_active or registration.checked_in_at is not None:
        return False
    return (now or timezone.now()) < substitution_deadline(registration.event)


@dataclass(frozen=True)
class SubstitutionResult:
    registration: Registration
    new_account: bool  # a user account was created for the new person


def substitute_registration(
    registration: Registration,
    *,
    new_person: dict,
    acting_user: User,
    reason: str,
    consent_privacy: bool,
    language: str = "",
    override_cutoff: bool = False,
) -> SubstitutionResult:
    """Hand `registration` to another person (a colleague goes instead): same reference,
    category, price and place; the person is `new_person` (`email` and delegate-profile
    fields: title, first_name, last_name, latin_name, job_title, organisation, country, phone).

    Who may do it is the caller's business (the delegate, their delegation's focal point, the
    secretariat). The rules, checked under the locks: the registration is active; nobody has
    checked in on it (`AlreadyCheckedIn`); the event's substitution deadline
    (`substitution_deadline`) has not passed, unless `override_cutoff` (the secretariat,
    recorded); the new person is another person (`SamePerson`) and holds no registration for
    the event (`AlreadyRegistered`); a reason is given (`ReasonRequired`) and the acting
    person confirms the new one accepts the privacy policy (`ConsentRequired`).

    The new person is found by e-mail or gets an account (`delegate_account`, `fill_only`
    unless staff act: nobody else overwrites a person's own details). The registration takes
    their details from their profile; the previous person's special personal data (needs,
    visa letter, nationality) and consents are cleared, the privacy consent is recorded anew,
    and the language becomes the new person's (`language`, else their preferred one).

    Side effects, in one transaction, in order: the user row (and profile) of the new person;
    the event, category and registration locks; the registration saved; a history row
    naming the old and the new person (and the reason); `registration_substituted` (a badge
    is reissued, so the old QR stops working); the e-mails — to the new person (their
    registration, a password link for a new account; copies per `extensions.email_copies`)
    and to the previous one. A refusal saves nothing, no account either.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ReasonRequired()
    if not consent_privacy:
        raise ConsentRequired()
    new_person = dict(new_person)
    email = User.objects.normalize_email(new_person.pop("email", "") or "").strip().lower()
    if not email:
        raise ValidationError({"email": _("Please give the new person's e-mail address.")})
    with transaction.atomic():
        new_delegate, new_account = delegate_account(
            email,
            profile=new_person,
            acting_user=acting_user,
            channel=ProfileHistory.Channel.SUBSTITUTION,
            fill_only=not _is_staff(acting_user),
        )
        profile = getattr(new_delegate, "delegate_profile", None)
        if profile is None or not (profile.first_name and profile.last_name):
            raise ProfileIncomplete(_("Please give the new person's first and last name."))
        registration = _lock_registration(registration)
        _require_status(registration, *Registration.ACTIVE_STATUSES)
        if registration.delegate_id == new_delegate.pk:
            raise SamePerson()
        if registration.checked_in_at is not None:
            raise AlreadyCheckedIn()
        if not override_cutoff and timezone.now() >= substitution_deadline(registration.event):
            raise SubstitutionClosed()
        if selectors.active_registration(registration.event, new_delegate) is not None:
            raise AlreadyRegistered(
                _("%(email)s is already registered for this forum.") % {"email": email}
            )

        old_delegate = registration.delegate
        old = {
            "delegate": registration.delegate_id,
            "name": registration.full_name,
            "email": registration.email,
        }
        old_language = registration.language
        registration.delegate = new_delegate
        registration.email = new_delegate.email
        for name in _PERSON_FIELDS:
            setattr(registration, name, getattr(profile, name))
        registration.dietary_needs = profile.dietary_needs
        registration.accessibility_needs = profile.accessibility_needs
        registration.visa_letter_needed = False
        registration.nationality = ""
        registration.consent_privacy_at = timezone.now()
        registration.privacy_policy_version = current_privacy_policy().version
        registration.consent_attendee_list = False
        registration.consent_marketing = False
        registration.language = language or profile.preferred_language or old_language
        changed = [
            "delegate", "email", *_PERSON_FIELDS, "dietary_needs", "accessibility_needs",
            "visa_letter_needed", "nationality", "consent_privacy_at", "privacy_policy_version",
            "consent_attendee_list", "consent_marketing", "language",
        ]  # fmt: skip
        full_clean(
            registration,
            exclude=[f.name for f in Registration._meta.fields if f.name not in changed]
            + ["delegate"],
            validate_unique=False,
            validate_constraints=False,
        )
        registration.save(update_fields=[*changed, "updated_at"])
        new = {"delegate": new_delegate.pk, "name": registration.full_name, "email": email}
        details = {"old": old, "new": new, "new_account": new_account}
        if override_cutoff:
            details["override_cutoff"] = True
        _record(
            registration,
            actor=acting_user,
            action=Action.SUBSTITUTED,
            from_status=registration.status,
            to_status=registration.status,
            reason=reason,
            **details,
        )
        extensions.registration_substituted.send(
            Registration,
            registration=registration,
            old_delegate=old_delegate,
            actor=acting_user,
            reason=reason,
        )
        emails.send_substitution_emails(
            registration,
            old_email=old["email"],
            old_name=old["name"],
            old_language=old_language,
            reason=reason,
            new_account="focal_point" if new_account else False,
        )
    return SubstitutionResult(registration, new_account)
