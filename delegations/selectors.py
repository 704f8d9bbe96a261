"""Reads for delegations and packages: the focal point's and the sponsor's pages, the VIP
list, and who receives copies of a member's e-mails."""

from django.db.models import Count, F, Q
from django.http import Http404

from registrations.models import DelegateCategory, Registration

from .models import Delegation, DelegationMember, Package, PackageAddOn, PackageSlot


def focal_point_copies(registration: Registration) -> list[tuple[str, str]]:
    """`registrations.extensions.add_email_copies` provider: the focal point of the
    registration's delegation, or the contact of the package whose slot it fills, with the
    language they read (their profile's); one query."""
    row = (
        Registration.objects.filter(pk=registration.pk)
        .values_list(
            "delegation_member__delegation__focal_point__email",
            "delegation_member__delegation__focal_point__delegate_profile__preferred_language",
            "package_slot__package__contact__email",
            "package_slot__package__contact__delegate_profile__preferred_language",
        )
        .first()
    )
    if row is None:
        return []
    focal_email, focal_language, contact_email, contact_language = row
    copies = []
    if focal_email:
        copies.append((focal_email, focal_language or registration.language))
    if contact_email:
        copies.append((contact_email, contact_language or registration.language))
    return copies


def delegations_of(user) -> list[Delegation]:
    """The delegations `user` is the focal point of, newest event first, with the number of
    members still registered."""
    return list(
        Delegation.objects.filter(focal_point=user)
        .select_related("event")
        .annotate(
            active_members=Count(
                "members",
                filter=Q(members__registration__status__in=Registration.ACTIVE_STATUSES),
            )
        )
        .order_by("-event__start_date", "name", "pk")
    )


def get_own_delegation(user, pk: int) -> Delegation:
    """The delegation `pk` if `user` is its focal point; 404 otherwise (someone else's is
    not shown to exist)."""
    delegation = (
        Delegation.objects.filter(pk=pk, focal_point=user).select_related("event__forum").first()
    )
    if delegation is None:
        raise Http404("No such delegation.")
    return delegation


def delegation_members(delegation: Delegation) -> list[DelegationMember]:
    return list(
        delegation.members.select_related("registration", "rank").order_by("position", "pk")
    )


def get_member(delegation: Delegation, reference: str) -> DelegationMember:
    member = (
        delegation.members.select_related("registration__event", "rank")
        .filter(registration__reference__iexact=reference)
        .first()
    )
    if member is None:
        raise Http404("No such member.")
    member.registration.event = delegation.event
    return member


def membership(registration: Registration) -> DelegationMember | None:
    return (
        DelegationMember.objects.filter(registration=registration)
        .select_related("delegation", "rank")
        .first()
    )


def vip_list(event) -> list[DelegationMember]:
    """Members of the event's delegations whose rank is a VIP rank and whose registration is
    still active: by rank precedence, then delegation, then the delegation's own order."""
    return list(
        DelegationMember.objects.filter(
            delegation__event=event,
            rank__is_vip=True,
            registration__status__in=Registration.ACTIVE_STATUSES,
        )
        .select_related("registration", "rank", "delegation")
        .order_by("rank__order", "rank__pk", "delegation__name", "position", "pk")
    )


def packages_of(user) -> list[Package]:
    return list(
        Package.objects.filter(contact=user)
        .select_related("event")
        .annotate(
            slot_count=Count("slots"),
            filled=Count("slots", filter=Q(slots__registration__isnull=False)),
        )
        .order_by("-event__start_date", "pk")
    )


def get_own_package(user, pk: int) -> Package:
    package = Package.objects.filter(pk=pk, contact=user).select_related("event__forum").first()
    if package is None:
        raise Http404("No such package.")
    return package


def package_add_on_places(package: Package) -> list[PackageAddOn]:
    """The package's add-on places, each with `used` (slots given one) and `left`: one query."""
    places = list(
        PackageAddOn.objects.filter(package=package)
        .select_related("add_on")
        .annotate(
            used=Count(
                "package__slots",
                filter=Q(package__slots__add_on=F("add_on")),
            )
        )
        .order_by("add_on__position", "add_on_id")
    )
    for place in places:
        place.left = max(place.count - place.used, 0)
    return places


def package_slots(package: Package) -> list[PackageSlot]:
    return list(package.slots.select_related("category", "registration").order_by("position"))


def delegation_categories(event):
    """The categories a focal point may choose for a member: every open one, invite-only
    ones too (marked on the form; a member in one needs a code that unlocks it, which
    `register_delegate` checks under the locks)."""
    return DelegateCategory.objects.filter(event=event, is_open=True).order_by(
        "display_order", "pk"
    )
