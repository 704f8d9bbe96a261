"""Delegations and sponsor packages: every write here, each on top of the registration
services (`registrations.services`), which keep every registration rule in one place.

Locking, in the documented order (docs/architecture.md): the people's user rows, the event
row, the categories' rows by id, the registration rows (all through `register_several` and
the other registration services); then this app's rows (a package slot) after them.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import ProfileHistory, User
from events.models import Event
from pricing import services as pricing_services
from pricing.models import Code
from registrations import services as registration_services
from registrations.models import DelegateCategory, Registration
from registrations.services import Applicant, RegistrationError

from .models import (
    Delegation,
    DelegationMember,
    Package,
    PackageAddOn,
    PackageSlot,
    ProtocolRank,
)

# What a focal point may correct in a member's registration (the name and the category go
# through a substitution or the secretariat).
MEMBER_EDITABLE_DETAILS = ("job_title", "organisation", "phone", "dietary_needs",
                           "accessibility_needs")  # fmt: skip


class PackageClosed(RegistrationError):
    default_message = _("The slots of this package can no longer be filled.")


class SlotTaken(RegistrationError):
    default_message = _("This slot is already filled.")


class AddOnPlacesUsedUp(RegistrationError):
    default_message = _("All the package's places for this add-on have been given.")


class AddOnNotInPackage(RegistrationError):
    default_message = _("This package includes no places for this add-on.")


@dataclass(frozen=True)
class Member:
    """One person a focal point registers in a delegation."""

    email: str
    profile: dict  # title, first_name, last_name, latin_name, job_title, organisation, country
    category: DelegateCategory
    rank: ProtocolRank | None = None
    form_sections: dict = field(default_factory=dict)  # e.g. the code the person presents


def member_form_sections(*, code: str = "", add_ons=(), group_size: int = 1) -> dict:
    """A member's answers in the shape the registration form's sections give them, for the
    receivers of `registration_created`: pricing's ("code": the code, and the delegation's
    size for a group discount) and addons' ("addons": the add-ons to book)."""
    sections = {"code": {"code": code or "", "group_size": group_size}}
    if add_ons:
        sections["addons"] = {"add_ons": list(add_ons), "ppe_size": "", "passport_name": ""}
    return sections


def register_delegation(
    event: Event,
    *,
    focal_point: User,
    name: str,
    members: list[Member],
    consent_privacy: bool,
    language: str,
) -> Delegation:
    """The focal point registers a delegation: all its members at once, all or nothing.

    The places are decided together under the locks by `registrations.services.
    register_several` (every member confirmed, or pending in an approval category; if there
    are not enough places it says how many are left where, and nothing is saved: no
    registration, no account, no delegation). Each member is found by e-mail or gets an
    account without a password. Then, in the same transaction: the `Delegation` row, one
    `DelegationMember` per member (rank, position in the form's order), and the e-mails:
    each member's own (in their language, a password link for a new account) with a copy to
    the focal point (`selectors.focal_point_copies`), and the secretariat's notifications.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Please give the delegation's name.")})
    with transaction.atomic():
        results = registration_services.register_several(
            event,
            [
                Applicant(
                    email=member.email,
                    profile=member.profile,
                    category=member.category,
                    form_sections=member.form_sections,
                )
                for member in members
            ],
            acting_user=focal_point,
            consent_privacy=consent_privacy,
            language=language,
            channel=ProfileHistory.Channel.DELEGATION,
            notify=False,
        )
        delegation = Delegation.objects.create(event=event, name=name, focal_point=focal_point)
        DelegationMember.objects.bulk_create(
            DelegationMember(
                delegation=delegation,
                registration=result.registration,
                rank=member.rank,
                position=position,
            )
            for position, (member, result) in enumerate(zip(members, results, strict=True), 1)
        )
        for result in results:
            registration_services.announce_registration(result)
    return delegation


def update_member(
    member: DelegationMember, *, acting_user: User, rank: ProtocolRank | None, **details
) -> DelegationMember:
    """The focal point corrects a member's details (`MEMBER_EDITABLE_DETAILS`, through
    `registrations.services.update_registration_details`: audited, the secretariat told)
    and their protocol rank. Refused (`ChangesClosed`) once the event's online changes are
    closed or the registration is no longer active."""
    not_allowed = set(details) - set(MEMBER_EDITABLE_DETAILS)
    if not_allowed:
        raise TypeError(f"Not editable by the focal point: {', '.join(sorted(not_allowed))}")
    if not registration_services.delegate_may_change(member.registration):
        raise registration_services.ChangesClosed()
    with transaction.atomic():
        registration_services.update_registration_details(
            member.registration, acting_user=acting_user, **details
        )
        if member.rank_id != (rank.pk if rank else None):
            member.rank = rank
            member.save(update_fields=["rank"])
    return member


# ---------------------------------------------------------------------------------------------
# Sponsor packages


def sync_package_slots(package: Package, *, acting_user: User | None = None) -> int:
    """Make the package's slots match its passes: one slot per pass, numbered in category
    order; empty slots beyond a lowered count are removed (filled ones never). Returns how
    many slots were added. Called by the admin after the passes are saved.

    The package's free code (`pricing`: discount "free", owned by the sponsor, for the
    passes' categories, valid until the cut-off, as many uses as slots) is made the first
    time and kept in step with the passes afterwards: every slot's registration presents it,
    so pricing prices it at nothing and counts its use under the code's lock."""
    with transaction.atomic():
        package = Package.objects.select_for_update().select_related("event").get(pk=package.pk)
        added = 0
        slots = list(package.slots.order_by("position"))
        next_position = max((slot.position for slot in slots), default=0) + 1
        for passes in package.passes.select_related("category").order_by("category_id"):
            own = [slot for slot in slots if slot.category_id == passes.category_id]
            for slot in [slot for slot in own if slot.registration_id is None][
                : max(len(own) - passes.count, 0)
            ]:
                slot.delete()
            for _missing in range(passes.count - len(own)):
                PackageSlot.objects.create(
                    package=package, category=passes.category, position=next_position
                )
                next_position += 1
                added += 1
        categories = set(package.passes.values_list("category_id", flat=True))
        package.slots.filter(registration__isnull=True).exclude(category_id__in=categories).delete()
        _sync_package_code(package, categories, acting_user=acting_user)
    return added


def _sync_package_code(package: Package, categories: set[int], *, acting_user) -> None:
    slot_count = package.slots.count()
    if package.code_id is None:
        if not slot_count:
            return
        [code] = pricing_services.create_codes(
            package.event,
            prefix="PKG",
            discount_kind=Code.Discount.FREE,
            categories=sorted(categories),
            usage_limit=slot_count,
            valid_until=package.cutoff,
            owner=package.sponsor,
            batch_name=str(package),
            created_by=acting_user,
        )
        package.code = code
        package.save(update_fields=["code"])
        return
    # The code is this package's own (nobody else holds it): its limit, window and
    # categories follow the package.
    code = Code.objects.select_for_update(no_key=True).get(pk=package.code_id)
    code.usage_limit = slot_count
    code.valid_until = package.cutoff
    code.save(update_fields=["usage_limit", "valid_until"])
    code.categories.set(sorted(categories))


def package_open(package: Package, now=None) -> bool:
    return (now or timezone.now()) < package.cutoff


def fill_slot(
    slot: PackageSlot,
    *,
    acting_user: User,
    email: str,
    profile: dict,
    consent_privacy: bool,
    language: str,
    form_sections: dict | None = None,
    add_on=None,
) -> Registration:
    """The package's contact names the person for an empty slot, until the package's
    cut-off: the person is registered in the slot's category through the registration
    services (found by e-mail or a new account; the place decided under the locks; their
    e-mail with a copy to the contact), then the slot row is locked (after the registration
    rows, the documented order) and filled. A slot filled meanwhile (`SlotTaken`), a passed
    cut-off (`PackageClosed`) or a full category refuse it, and nothing is saved.

    `add_on`: one of the package's add-on places (`PackageAddOn`) given to the person. The
    add-on is booked through addons' receiver (its own capacity: a full gala puts the person
    on its waitlist) and pricing's rule 5 takes its line off again (free for the person).
    The package's places of that add-on are counted under the `PackageAddOn` row's lock,
    taken after the add-on rows and before the slot: the last place given twice at once is
    refused to one of them (`AddOnPlacesUsedUp`), and nothing of that fill is saved."""
    package = slot.package
    if not package_open(package):
        raise PackageClosed()
    places = None
    if add_on is not None:
        places = PackageAddOn.objects.filter(package=package, add_on=add_on).first()
        if places is None:
            raise AddOnNotInPackage()
        if package.slots.filter(add_on=add_on).count() >= places.count:
            raise AddOnPlacesUsedUp()  # early answer; counted again under the lock below
        sections = member_form_sections(
            code=package.code.code if package.code else "", add_ons=[add_on]
        )
        sections["code"]["included_add_ons"] = [add_on.pk]
    else:
        sections = member_form_sections(code=package.code.code if package.code else "")
    with transaction.atomic():
        [result] = registration_services.register_several(
            package.event,
            [
                Applicant(
                    email=email,
                    profile=profile,
                    category=slot.category,
                    form_sections={**sections, **(form_sections or {})},
                )
            ],
            acting_user=acting_user,
            consent_privacy=consent_privacy,
            language=language,
            channel=ProfileHistory.Channel.DELEGATION,
            notify=False,
        )
        if places is not None:
            # Under the package add-on row's lock the places given cannot grow meanwhile.
            places = PackageAddOn.objects.select_for_update(no_key=True).get(pk=places.pk)
            if package.slots.filter(add_on=add_on).count() >= places.count:
                raise AddOnPlacesUsedUp()
        locked = PackageSlot.objects.select_for_update().get(pk=slot.pk)
        if locked.registration_id is not None:
            raise SlotTaken()
        locked.registration = result.registration
        locked.filled_at = timezone.now()
        locked.add_on = add_on
        locked.save(update_fields=["registration", "filled_at", "add_on"])
        registration_services.announce_registration(result)
    return result.registration
