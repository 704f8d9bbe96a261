"""Delegations' part of a delegate's personal data (registered into `minex.personal_data`
from `DelegationsConfig.ready()`): the delegations they lead as focal point, their own place
in a delegation (protocol rank), the sponsor packages they are the contact of, and the package
slots their registrations fill."""

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from minex.personal_data import PersonalDataSource, plain

from .models import Delegation, DelegationMember, Package, PackageSlot


def delegations_personal_data(user) -> dict:
    led = (
        Delegation.objects.filter(focal_point=user)
        .select_related("event")
        .annotate(member_count=Count("members"))
        .order_by("created_at", "pk")
    )
    memberships = (
        DelegationMember.objects.filter(registration__delegate=user)
        .select_related("registration", "delegation", "rank")
        .order_by("pk")
    )
    packages = (
        Package.objects.filter(contact=user)
        .select_related("event")
        .annotate(slot_count=Count("slots"))
        .order_by("created_at", "pk")
    )
    slots = (
        PackageSlot.objects.filter(registration__delegate=user)
        .select_related("registration", "package", "category")
        .order_by("pk")
    )
    return {
        "focal_point_of": [
            {
                "event": str(delegation.event),
                "delegation": delegation.name,
                "members": delegation.member_count,
                "created_at": plain(delegation.created_at),
            }
            for delegation in led
        ],
        "member_of": [
            {
                "registration": member.registration.reference,
                "delegation": member.delegation.name,
                "protocol_rank": member.rank.name if member.rank else "",
                "position": member.position,
            }
            for member in memberships
        ],
        "package_contact_of": [
            {
                "event": str(package.event),
                "sponsor": package.sponsor,
                "package": package.name,
                "slots": package.slot_count,
            }
            for package in packages
        ],
        "package_slots": [
            {
                "registration": slot.registration.reference,
                "sponsor": slot.package.sponsor,
                "package": slot.package.name,
                "category": str(slot.category),
                "filled_at": plain(slot.filled_at),
            }
            for slot in slots
        ],
    }


def erase_delegations_personal_data(user, *, now) -> dict:
    """Membership and filled slots stay (the delegation's and the package's counts) without
    the protocol rank. The delegations they lead and the packages they are the contact of
    stay for their other members, pointing at the anonymised account."""
    ranks = (
        DelegationMember.objects.filter(registration__delegate=user)
        .exclude(rank=None)
        .update(rank=None)
    )
    return {
        "protocol_ranks_removed": ranks,
        "delegations_led_kept": Delegation.objects.filter(focal_point=user).count(),
        "packages_kept": Package.objects.filter(contact=user).count(),
    }


SOURCE = PersonalDataSource(
    name="delegations",
    label=_("Delegations and sponsor packages"),
    export=delegations_personal_data,
    erase=erase_delegations_personal_data,
    order=46,
    kept=_(
        "Your place in a delegation or a sponsor package is kept as an anonymous count, "
        "without your protocol rank; delegations you led and packages you managed stay for "
        "their other members, without your name."
    ),
)
