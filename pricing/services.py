"""Codes and prices: every write of the pricing app goes through a function here.

Lock order (docs/architecture.md): whatever registrations holds (user → event → category →
registration rows), then the code row (`apply_code`: SELECT … FOR NO KEY UPDATE by id),
before add-on rows, invoices and their sequence. `register_delegate` asks the category gate
(`check_code`, no lock) before it inserts the registration, so a bad code is refused with
its own message and nothing saved; the use itself is counted under the code row's lock by
the `registration_created` receiver, inside the registration's transaction: a code is never
used more often than its limit, even when two processes take its last use at once.
"""

import datetime
import re
import secrets
from decimal import Decimal

from django.db import transaction
from django.db.models.functions import Lower, Trim
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from events.models import Event
from registrations.models import DelegateCategory, Registration
from registrations.services import RegistrationError, set_registration_price

from . import extensions, rules
from .models import (
    Code,
    CodeBatch,
    CodeUse,
    EventPricing,
    GroupDiscount,
    PriceLine,
    RegistrationPricing,
    Sector,
    SectorRate,
)

# The form section's name: its data reaches `registration_created` as form_sections["code"]:
# {"code": "GOV-2026", "sector": "ngo"}; other apps (delegations) may add "group_size".
SECTION = "code"

# Batch codes: capitals and digits without the look-alikes 0/O, 1/I/L (as references).
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class CodeError(RegistrationError):
    """A code that cannot be used; `message` is translated and fit to show."""

    default_message = _("This code cannot be used.")


class UnknownCode(CodeError):
    default_message = _("We do not know this code. Please check it for typing errors.")


class CodeForAnotherEvent(CodeError):
    default_message = _("This code is for another forum and cannot be used here.")


class CodeNotYetValid(CodeError):
    default_message = _("This code is not valid yet.")


class CodeExpired(CodeError):
    default_message = _("This code has expired.")


class CodeUsedUp(CodeError):
    default_message = _("This code has already been used as many times as it allows.")


class CodeNotForCategory(CodeError):
    default_message = _("This code does not apply to the category you chose.")


class InvitationRequired(CodeError):
    default_message = _(
        "This category is by invitation only: please enter the invitation code you received."
    )


def normalise_code(text: str) -> str:
    """A code as stored: capitals, no surrounding or inner spaces."""
    return re.sub(r"\s+", "", text or "").upper()


def _event_code(event: Event, text: str) -> Code | None:
    return (
        Code.objects.filter(event=event, code=normalise_code(text))
        .prefetch_related("categories")
        .first()
    )


def check_code(
    event: Event, text: str, *, category: DelegateCategory, now: datetime.datetime | None = None
) -> Code:
    """The event's code `text` if it may be used for a registration in `category` now;
    otherwise raise the `CodeError` that says why (unknown, another forum's, not valid yet,
    expired, not for this category, used up). Reads without locking: `apply_code` counts the
    uses again under the code's lock."""
    code = _event_code(event, text)
    if code is None:
        raise _missing_code(text)
    _check_terms(code, category, now or timezone.now())
    return code


def _missing_code(text: str) -> CodeError:
    if Code.objects.filter(code=normalise_code(text)).exists():
        return CodeForAnotherEvent()
    return UnknownCode()


def _check_terms(code: Code, category: DelegateCategory, now: datetime.datetime) -> None:
    if code.valid_from is not None and now < code.valid_from:
        raise CodeNotYetValid()
    if code.valid_until is not None and now >= code.valid_until:
        raise CodeExpired()
    if not _code_covers(code, category):
        raise CodeNotForCategory()
    if code.usage_limit is not None and _live_uses(code) >= code.usage_limit:
        raise CodeUsedUp()


def _code_covers(code: Code, category: DelegateCategory) -> bool:
    """A code with no categories applies to every public category; one with categories to
    those (invite-only ones included: it unlocks them)."""
    chosen = {each.pk for each in code.categories.all()}
    if not chosen:
        return not category.invite_only
    return category.pk in chosen


def _live_uses(code: Code) -> int:
    return CodeUse.objects.filter(code=code, released_at__isnull=True).count()


# The category gate (registrations.extensions.CategoryGate) -----------------------------------


def unlocked_category_ids(event: Event, data) -> set[int]:
    """The invite-only categories of `event` that the code in `data` (the registration
    form's POST, `code-code`, or an invitation link's query, `code`) unlocks. Only whether
    the code exists for the event is asked here, so the form offers the category and the
    registration then says precisely what is wrong with the code (expired, used up)."""
    text = data.get(f"{SECTION}-code") or data.get("code") or ""
    if not normalise_code(text):
        return set()
    return set(
        DelegateCategory.objects.filter(
            event=event,
            invite_only=True,
            codes__event=event,
            codes__code=normalise_code(text),
        ).values_list("pk", flat=True)
    )


def registration_refusal(
    event: Event, category: DelegateCategory, form_sections: dict, *, staff: bool
) -> str | None:
    """Asked by `register_delegate` under the event and category locks: why a registration
    in `category` with these form sections may not be made (a translated message), or None.
    Any code given is checked; an invite-only category needs one that unlocks it, except
    when the secretariat registers someone."""
    text = normalise_code((form_sections.get(SECTION) or {}).get("code") or "")
    if not text:
        if category.invite_only and not staff:
            return str(InvitationRequired.default_message)
        return None
    try:
        check_code(event, text, category=category)
    except CodeError as refusal:
        return str(refusal.message)
    return None


# Using a code -------------------------------------------------------------------------------


def apply_code(registration: Registration, text: str, *, acting_user: User | None) -> CodeUse:
    """Record that `registration` uses the code `text` of its event.

    Call inside the transaction that holds the registration's locks (the receiver of
    `registration_created` does). Locks the code row (FOR NO KEY UPDATE), counts its live
    uses under that lock and inserts the use, or raises the `CodeError` that says why not
    (`CodeUsedUp` when another registration took the last use meanwhile): raised inside the
    registration's transaction, it rolls the registration back too.
    """
    code = (
        Code.objects.select_for_update(no_key=True)
        .filter(event_id=registration.event_id, code=normalise_code(text))
        .first()
    )
    if code is None:
        raise _missing_code(text)
    # Under the lock: the live uses counted here cannot grow until this transaction ends.
    _check_terms(code, registration.category, timezone.now())
    return CodeUse.objects.create(code=code, registration=registration)


def release_code_uses(registration: Registration) -> int:
    """A cancelled or rejected registration gives its code's use back; returns how many."""
    return CodeUse.objects.filter(registration=registration, released_at__isnull=True).update(
        released_at=timezone.now()
    )


def create_codes(
    event: Event,
    *,
    count: int = 1,
    code: str = "",
    prefix: str = "",
    discount_kind: str = Code.Discount.PERCENT,
    discount_value: Decimal = Decimal("0"),
    categories=(),
    usage_limit: int | None = 1,
    valid_from: datetime.datetime | None = None,
    valid_until: datetime.datetime | None = None,
    owner: str = "",
    batch_name: str = "",
    created_by: User | None = None,
) -> list[Code]:
    """Make one code (`code` given: that text) or a batch of `count` random ones
    (`PREFIX-XXXXXX`), with the same discount, categories, limit, window and owner; a batch
    (or a named single code) gets a `CodeBatch` called `batch_name`. One transaction.

    Used by the admin's "new batch" page and by other apps (delegations' sponsor packages
    make a free code owned by the package). Raises `ValidationError` for a malformed code or
    a clash with an existing one."""
    categories = list(categories)
    with transaction.atomic():
        batch = None
        if batch_name or count > 1:
            batch = CodeBatch.objects.create(
                event=event, name=batch_name or owner or prefix, owner=owner, created_by=created_by
            )
        texts = (
            [normalise_code(code)] if code else _random_codes(event, normalise_code(prefix), count)
        )
        made = []
        for text in texts:
            new = Code(
                event=event,
                code=text,
                discount_kind=discount_kind,
                discount_value=discount_value,
                usage_limit=usage_limit,
                valid_from=valid_from,
                valid_until=valid_until,
                owner=owner,
                batch=batch,
                created_by=created_by,
            )
            new.full_clean()
            new.save()
            if categories:
                new.categories.set(categories)
            made.append(new)
    return made


def _random_codes(event: Event, prefix: str, count: int) -> list[str]:
    texts: set[str] = set()
    while len(texts) < count:
        random_part = "".join(secrets.choice(CODE_ALPHABET) for _position in range(8))
        texts.add(f"{prefix}-{random_part}" if prefix else random_part)
    taken = set(Code.objects.filter(event=event, code__in=texts).values_list("code", flat=True))
    if taken:  # astronomically rare: draw those again
        return [*(texts - taken), *_random_codes(event, prefix, len(taken))]
    return sorted(texts)


# Pricing ------------------------------------------------------------------------------------


def _names(category: DelegateCategory) -> dict:
    english = category.name_en or category.name
    return {"en": english, "ru": category.name_ru or english, "kk": category.name_kk or english}


def _sector_labels(sector: str) -> dict:
    labels = {}
    for language in rules.LANGUAGES:
        with translation.override(language):
            labels[language] = str(Sector(sector).label)
    return labels


def organisation_group_size(registration: Registration) -> int:
    """Active registrations of the event from the registration's organisation (itself
    included), compared without case or surrounding spaces; 1 without an organisation."""
    organisation = registration.organisation.strip()
    if not organisation:
        return 1
    return (
        Registration.objects.filter(
            event_id=registration.event_id, status__in=Registration.ACTIVE_STATUSES
        )
        .annotate(organisation_key=Lower(Trim("organisation")))
        .filter(organisation_key=organisation.lower())
        .count()
        or 1
    )


def quote_registration(
    registration: Registration,
    *,
    code: Code | None = None,
    group_size: int | None = None,
    sector: str = "",
    at: datetime.datetime | None = None,
    included_add_ons=(),
) -> rules.Quote:
    """The registration's price by the rules (`pricing.rules`), without saving anything.

    `at` is when the registration was made (its early bird); `group_size` the size of the
    delegation it was registered with, if any — the organisation's count is taken when it is
    larger; `sector` the sector the delegate declared; `code` the code it uses;
    `included_add_ons` the add-on ids whose line a sponsor package includes (rule 5)."""
    category = registration.category
    at = at or registration.created_at or timezone.now()
    steps = [
        (step.min_size, step.percent)
        for step in GroupDiscount.objects.filter(event_id=registration.event_id).order_by(
            "min_size"
        )
    ]
    size = group_size or 1
    if steps and size < steps[0][0]:
        size = max(size, organisation_group_size(registration))
    sector_percent = None
    if sector:
        rate = SectorRate.objects.filter(category=category, sector=sector).first()
        sector_percent = rate.percent if rate else None
    data = rules.PricingInput(
        category_name=_names(category),
        price=category.price,
        currency=category.currency,
        early_bird_price=category.early_bird_price,
        early_bird_deadline=category.early_bird_deadline,
        sector=sector if sector_percent else "",
        sector_label=_sector_labels(sector) if sector_percent else {},
        sector_percent=sector_percent,
        group_size=size,
        group_steps=steps,
        code=rules.CodeTerms(code.code, code.discount_kind, code.discount_value) if code else None,
        extra_lines=extensions.extra_lines(registration),
        included_keys=frozenset(rules.add_on_key(pk) for pk in included_add_ons),
    )
    return rules.quote(data, at=at)


def price_registration(
    registration: Registration,
    *,
    code: Code | None = None,
    group_size: int | None = None,
    sector: str = "",
    at: datetime.datetime | None = None,
    replace: bool = True,
    included_add_ons=(),
) -> rules.Quote:
    """Price the registration by the rules and store the result: its `PriceLine` rows
    (replacing any it had), what it was priced with (`RegistrationPricing`), and the total as
    `Registration.price` (through `registrations.services.set_registration_price`).

    When nothing but the category's own price applies (no sector rate, group discount, code
    or add-on), nothing is stored: the registration's price is already the category's (with
    its early bird), and `selectors.price_lines` shows that one line. Call inside the
    transaction that holds the registration's locks. `replace=False` (a registration just
    made, which has no lines yet) spares the DELETE. `included_add_ons`: the add-on ids a
    sponsor package gives the person (stored, so a re-pricing after the booking keeps them)."""
    included_add_ons = sorted({int(pk) for pk in included_add_ons or ()})
    quote = quote_registration(
        registration,
        code=code,
        group_size=group_size,
        sector=sector,
        at=at,
        included_add_ons=included_add_ons,
    )
    had_lines = replace and PriceLine.objects.filter(registration=registration).delete()[0]
    if not quote.has_rules and code is None and not had_lines and not included_add_ons:
        # The snapshot's one line shows the price; an early bird that lapsed (billing's
        # re-pricing, early bird by payment date) still changes it.
        if quote.early_bird != registration.early_bird:
            set_registration_price(registration, price=quote.total, early_bird=quote.early_bird)
        return quote
    PriceLine.objects.bulk_create(
        [
            PriceLine(
                registration=registration,
                position=position,
                kind=line.kind,
                description=line.descriptions["en"][:300],
                description_ru=line.descriptions.get("ru", "")[:300],
                description_kk=line.descriptions.get("kk", "")[:300],
                amount=line.amount,
                currency=line.currency,
            )
            for position, line in enumerate(quote.lines, start=1)
        ]
    )
    # INSERT … ON CONFLICT: no row lock (update_or_create would take one out of order).
    RegistrationPricing.objects.bulk_create(
        [
            RegistrationPricing(
                registration=registration,
                sector=sector or "",
                group_size=group_size or 1,
                included_add_ons=included_add_ons,
            )
        ],
        update_conflicts=True,
        unique_fields=["registration"],
        update_fields=["sector", "group_size", "included_add_ons", "priced_at"],
    )
    set_registration_price(registration, price=quote.total, early_bird=quote.early_bird)
    return quote


def reprice_registration(
    registration: Registration, *, at: datetime.datetime | None = None
) -> rules.Quote:
    """Price the registration again with what it was priced with (its live code use, the
    sector and group size stored), e.g. after an add-on was booked or cancelled. `at` is the
    moment whose early bird applies (default: when it was made; billing's re-pricing of an
    unpaid early bird passes now). Call inside the transaction that holds the registration's
    locks."""
    use = (
        CodeUse.objects.select_related("code")
        .filter(registration=registration, released_at__isnull=True)
        .first()
    )
    basis = RegistrationPricing.objects.filter(registration=registration).first()
    return price_registration(
        registration,
        code=use.code if use else None,
        group_size=basis.group_size if basis else None,
        sector=basis.sector if basis else "",
        at=at or registration.created_at,
        included_add_ons=basis.included_add_ons if basis else (),
    )


def early_bird_by_payment(event_id: int) -> bool:
    """Whether the event keeps an early-bird price only when paid by the deadline
    (`EventPricing.early_bird_by_payment`; docs/pricing.md)."""
    return EventPricing.objects.filter(event_id=event_id, early_bird_by_payment=True).exists()


def on_registration_created(sender, *, registration, actor, form_sections=None, **kwargs):
    """Inside the registration's transaction, before billing invoices it: use the code given
    (counted under its lock) and price the registration."""
    section = (form_sections or {}).get(SECTION) or {}
    text = normalise_code(section.get("code") or "")
    code = None
    if text:
        code = apply_code(registration, text, acting_user=actor).code
    price_registration(
        registration,
        code=code,
        group_size=section.get("group_size"),
        sector=section.get("sector") or "",
        at=registration.created_at,
        replace=False,
        included_add_ons=section.get("included_add_ons") or (),
    )


def on_registration_status_changed(sender, *, registration, to_status, **kwargs):
    if to_status in (Registration.Status.CANCELLED, Registration.Status.REJECTED):
        release_code_uses(registration)
