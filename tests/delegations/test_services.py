"""Registering a delegation (`register_delegation`): all or nothing, each member's own
account and e-mail, copies to the focal point, the VIP list in rank order."""

import pytest

from accounts.models import User
from delegations.exports import vip_list_csv
from delegations.models import Delegation, ProtocolRank
from delegations.services import Member, register_delegation, update_member
from mail.models import OutgoingEmail
from registrations.models import Registration
from registrations.services import (
    AlreadyRegistered,
    NotEnoughPlaces,
    RegistrationError,
    approve_registration,
    cancel_registration,
)
from tests.factories import make_category, make_delegate, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db


def person(email, first, last, category, rank=None):
    return Member(
        email=email,
        profile={"title": "mr", "first_name": first, "last_name": last, "country": "MN"},
        category=category,
        rank=rank,
    )


def rank(name):
    return ProtocolRank.objects.get(name_en=name)


@pytest.fixture
def focal_point():
    return make_delegate("protocol@mining.gov.mn", first_name="Saran", last_name="Bold",
                         preferred_language="ru")  # fmt: skip


def test_a_delegation_of_three_is_registered_with_accounts_and_copies(
    focal_point, django_capture_on_commit_callbacks, mailoutbox
):
    event = make_event()
    delegates = make_category(event, name_en="Delegate")
    vip = make_category(event, name_en="VIP", requires_approval=True)
    existing = make_delegate("deputy@mining.gov.mn", first_name="Ганбаатар", last_name="Дорж")

    with django_capture_on_commit_callbacks(execute=True):
        delegation = register_delegation(
            event,
            focal_point=focal_point,
            name="Ministry of Mining of Mongolia",
            members=[
                person("minister@mining.gov.mn", "Bat", "Erdene", vip, rank("Minister")),
                person(
                    "Deputy@mining.gov.mn", "Ignored", "Name", delegates, rank("Deputy Minister")
                ),  # fmt: skip
                person("adviser@mining.gov.mn", "Oyun", "Tsetseg", delegates),
            ],
            consent_privacy=True,
            language="en",
        )

    members = list(delegation.members.select_related("registration", "rank"))
    assert [m.registration.email for m in members] == [
        "minister@mining.gov.mn", "deputy@mining.gov.mn", "adviser@mining.gov.mn",
    ]  # fmt: skip
    assert [m.registration.status for m in members] == ["pending", "confirmed", "confirmed"]
    # An existing person's own details are kept, not the focal point's spelling.
    assert members[1].registration.delegate == existing
    assert members[1].registration.first_name == "Ганбаатар"
    minister = User.objects.get(email="minister@mining.gov.mn")
    assert not minister.has_usable_password()
    # Each member's own e-mail, and a copy of it to the focal point in Russian.
    to_members = [m for m in mailoutbox if m.to[0].endswith("@mining.gov.mn")
                  and m.to != ["protocol@mining.gov.mn"]]  # fmt: skip
    assert sorted(m.to[0] for m in to_members) == sorted(
        ["minister@mining.gov.mn", "deputy@mining.gov.mn", "adviser@mining.gov.mn"]
    )
    assert "password-reset page" in next(m for m in to_members
                                         if m.to == ["minister@mining.gov.mn"]).body  # fmt: skip
    copies = OutgoingEmail.objects.filter(recipient="protocol@mining.gov.mn")
    assert copies.count() == 3
    assert set(copies.values_list("language", flat=True)) == {"ru"}
    copy = next(m for m in mailoutbox if m.to == ["protocol@mining.gov.mn"]
                and "minister@mining.gov.mn" in m.body)  # fmt: skip
    assert "Bat Erdene" in copy.body

    # Later e-mails about a member (the approval) are copied too.
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        approve_registration(members[0].registration, acting_user=make_user(is_staff=True))
    assert sorted(m.to[0] for m in mailoutbox) == [
        "minister@mining.gov.mn", "protocol@mining.gov.mn",
    ]  # fmt: skip


def test_a_delegation_larger_than_the_places_left_saves_nothing(focal_point):
    event = make_event(capacity=10)
    category = make_category(event, capacity=3)
    make_registration(category)

    with pytest.raises(NotEnoughPlaces) as refusal:
        register_delegation(
            event,
            focal_point=focal_point,
            name="Ministry",
            members=[person(f"p{n}@gov.mn", "A", f"B{n}", category) for n in range(3)],
            consent_privacy=True,
            language="en",
        )

    assert str(refusal.value.message) == f"Only 2 places are left in {category.name}."
    assert Registration.objects.filter(event=event).count() == 1
    assert not Delegation.objects.exists()
    assert not User.objects.filter(email__endswith="@gov.mn").exists()


def test_a_member_already_registered_refuses_the_whole_delegation(focal_point):
    category = make_category()
    registered = make_registration(category)

    with pytest.raises(AlreadyRegistered) as refusal:
        register_delegation(
            category.event,
            focal_point=focal_point,
            name="Ministry",
            members=[
                person("new@gov.mn", "A", "B", category),
                person(registered.email, "C", "D", category),
            ],
            consent_privacy=True,
            language="en",
        )

    assert registered.email in str(refusal.value.message)
    assert Registration.objects.filter(event=category.event).count() == 1


def test_the_vip_list_is_in_rank_order_and_leaves_out_cancelled_and_unranked(focal_point):
    category = make_category()
    delegation = register_delegation(
        category.event,
        focal_point=focal_point,
        name="Ministry",
        members=[
            person("ceo@corp.mn", "Chief", "Executive", category, rank("CEO")),
            person("amb@gov.mn", "Ambassador", "Plenipotentiary", category, rank("Ambassador")),
            person("staff@gov.mn", "Staff", "Member", category),
            person("min@gov.mn", "The", "Minister", category, rank("Minister")),
        ],
        consent_privacy=True,
        language="en",
    )
    ceo = delegation.members.get(registration__email="ceo@corp.mn")
    update_member(ceo, acting_user=focal_point, rank=rank("Deputy Minister"), job_title="CEO")
    cancelled = delegation.members.get(registration__email="amb@gov.mn").registration
    cancel_registration(cancelled, acting_user=focal_point)

    lines = vip_list_csv(category.event).splitlines()

    assert [line.split(",")[0].lstrip("\ufeff") for line in lines] == [
        "Protocol rank", "Minister", "Deputy Minister",
    ]  # fmt: skip
    assert "Executive" in lines[2]


def test_a_member_with_a_government_code_and_two_with_the_gala(focal_point):
    from decimal import Decimal

    from addons.models import AddOnBooking
    from delegations.services import member_form_sections
    from tests.addons.factories import make_add_on
    from tests.pricing.factories import make_free_code

    event = make_event()
    delegates = make_category(event, name_en="Delegate", price=Decimal("500"))
    government = make_category(event, name_en="Government", price=Decimal("500"),
                               invite_only=True)  # fmt: skip
    make_free_code(event, categories=[government], code="GOV-2026", usage_limit=1)
    gala = make_add_on(event, price=Decimal("100"), capacity=10)
    members = [
        Member(email="min@gov.kz", profile={"first_name": "A", "last_name": "Minister"},
               category=government,
               form_sections=member_form_sections(code="gov-2026", group_size=3)),
        Member(email="d1@gov.kz", profile={"first_name": "B", "last_name": "One"},
               category=delegates,
               form_sections=member_form_sections(add_ons=[gala], group_size=3)),
        Member(email="d2@gov.kz", profile={"first_name": "C", "last_name": "Two"},
               category=delegates,
               form_sections=member_form_sections(add_ons=[gala], group_size=3)),
    ]  # fmt: skip

    delegation = register_delegation(
        event, focal_point=focal_point, name="Ministry", members=members,
        consent_privacy=True, language="ru",
    )  # fmt: skip

    prices = dict(delegation.members.values_list("registration__email", "registration__price"))
    assert prices["min@gov.kz"] == Decimal("0")
    assert prices["d1@gov.kz"] == prices["d2@gov.kz"] == Decimal("600")
    assert AddOnBooking.objects.filter(add_on=gala, status="confirmed").count() == 2

    # The code's only use is taken: another delegation presenting it is refused, naming the
    # person, and saves nothing.
    with pytest.raises(RegistrationError) as refusal:
        register_delegation(
            event, focal_point=make_delegate(), name="Other ministry",
            members=[
                Member(email="x@gov.kz", profile={"first_name": "X", "last_name": "Y"},
                       category=delegates),
                Member(email="min2@gov.kz", profile={"first_name": "A", "last_name": "B"},
                       category=government,
                       form_sections=member_form_sections(code="GOV-2026")),
            ],
            consent_privacy=True, language="en",
        )  # fmt: skip
    assert str(refusal.value.message).startswith("min2@gov.kz: ")
    assert not User.objects.filter(email="x@gov.kz").exists()
