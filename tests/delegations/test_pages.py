"""The focal point's pages ("My delegation"), the delegate's own hand-over page and the
sponsor contact's slots: what each person sees and may do, refusals as messages."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from delegations.models import Delegation, Package, PackagePasses
from delegations.services import Member, register_delegation, sync_package_slots
from registrations.models import Registration, RegistrationHistory
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = pytest.mark.django_db


def row(n, category, **fields):
    values = {
        f"members-{n}-email": f"person{n}@gov.kz",
        f"members-{n}-first_name": f"Имя{n}",
        f"members-{n}-last_name": f"Фамилия{n}",
        f"members-{n}-category": str(category.pk),
        f"members-{n}-country": "KZ",
    }
    values.update({f"members-{n}-{name}": value for name, value in fields.items()})
    return values


def form(category, people, rows=4):
    data = {
        "name": "Министерство промышленности",
        "consent_privacy": "on",
        "members-TOTAL_FORMS": str(rows),
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "30",
    }
    for n in range(people):
        data.update(row(n, category))
    return data


_numbers = itertools.count(1)


def make_delegation(focal_point, category, size=2):
    batch = next(_numbers)
    return register_delegation(
        category.event,
        focal_point=focal_point,
        name="Ministry",
        members=[
            Member(
                email=f"member{n}-{batch}@gov.kz",
                profile={"first_name": "Asel", "last_name": f"Member{n}"},
                category=category,
            )
            for n in range(size)
        ],
        consent_privacy=True,
        language="en",
    )


def test_focal_point_registers_two_people_and_empty_rows_are_skipped(client):
    category = make_category()
    focal_point = make_delegate()
    client.force_login(focal_point)
    url = f"/ru/events/{category.event.slug}/delegation/"

    page = client.get(url)
    assert page.status_code == 200
    assert page.content.decode().count("<legend>") == 4
    assert client.get(url + "?rows=6").content.decode().count("<legend>") == 6

    response = client.post(url, form(category, people=2))

    delegation = Delegation.objects.get(focal_point=focal_point)
    assert response.status_code == 302
    assert response["Location"] == f"/ru/my/delegations/{delegation.pk}/"
    assert delegation.members.count() == 2
    detail = client.get(response["Location"]).content.decode()
    assert "Имя0 Фамилия0" in detail and "Имя1 Фамилия1" in detail


def test_too_large_a_delegation_is_told_the_places_left_and_nothing_is_saved(client):
    category = make_category(make_event(capacity=3))
    make_registration(category)
    client.force_login(make_delegate())

    response = client.post(
        f"/en/events/{category.event.slug}/delegation/", form(category, people=3)
    )

    assert response.status_code == 409
    assert "Only 2 places are left at this forum." in response.content.decode()
    assert Registration.objects.filter(event=category.event).count() == 1
    assert not Delegation.objects.exists()


def test_an_empty_delegation_form_is_a_400_with_a_message(client):
    category = make_category()
    client.force_login(make_delegate())

    response = client.post(f"/en/events/{category.event.slug}/delegation/", form(category, 0))

    assert response.status_code == 400
    assert "Add at least one person." in response.content.decode()


def test_another_users_delegation_is_a_404(client):
    delegation = make_delegation(make_delegate(), make_category())
    client.force_login(make_delegate())

    assert client.get(f"/en/my/delegations/{delegation.pk}/").status_code == 404
    reference = delegation.members.first().registration.reference
    assert client.post(f"/en/my/delegations/{delegation.pk}/{reference}/cancel/").status_code == 404


def test_focal_point_changes_cancels_and_hands_over_members(client):
    focal_point = make_delegate()
    delegation = make_delegation(focal_point, make_category(), size=3)
    first, second, third = [m.registration for m in delegation.members.order_by("position")]
    client.force_login(focal_point)
    base = f"/en/my/delegations/{delegation.pk}"

    changed = client.post(
        f"{base}/{first.reference}/change/",
        {"job_title": "Director of Geology", "organisation": "Ministry", "rank": ""},
    )
    cancelled = client.post(f"{base}/{second.reference}/cancel/")
    handed = client.post(
        f"{base}/{third.reference}/substitute/",
        {
            "email": "colleague@gov.kz",
            "first_name": "Нурлан",
            "last_name": "Абенов",
            "reason": "Illness",
            "consent_privacy": "on",
        },
    )

    assert [changed.status_code, cancelled.status_code, handed.status_code] == [302, 302, 302]
    assert Registration.objects.get(pk=first.pk).job_title == "Director of Geology"
    assert Registration.objects.get(pk=second.pk).status == Registration.Status.CANCELLED
    third = Registration.objects.get(pk=third.pk)
    assert third.email == "colleague@gov.kz" and third.last_name == "Абенов"
    entry = third.history.get(action=RegistrationHistory.Action.SUBSTITUTED)
    assert entry.actor == focal_point
    page = client.get(f"{base}/").content.decode()
    assert "Нурлан Абенов" in page


def test_delegate_hands_over_their_own_registration_until_the_cutoff(client):
    registration = make_registration()
    client.force_login(registration.delegate)
    url = f"/en/my/registrations/{registration.reference}/substitute/"
    assert (
        "Hand over to a colleague"
        in client.get(f"/en/my/registrations/{registration.reference}/").content.decode()
    )

    missing_reason = client.post(url, {"email": "x@example.com", "first_name": "A",
                                       "last_name": "B", "consent_privacy": "on"})  # fmt: skip
    response = client.post(
        url,
        {"email": "colleague@example.com", "first_name": "Ерлан", "last_name": "Касымов",
         "reason": "Cannot travel", "consent_privacy": "on"},
    )  # fmt: skip

    assert missing_reason.status_code == 400
    assert response.status_code == 302 and response["Location"] == "/en/my/registrations/"
    assert Registration.objects.get(pk=registration.pk).last_name == "Касымов"
    # The page is now someone else's registration.
    assert client.get(url).status_code == 404


def test_after_the_cutoff_the_hand_over_page_says_so(client):
    event = make_event(substitution_cutoff=timezone.now() - datetime.timedelta(hours=1))
    registration = make_registration(make_category(event))
    client.force_login(registration.delegate)

    response = client.get(f"/en/my/registrations/{registration.reference}/substitute/", follow=True)

    assert "can no longer be handed over" in response.content.decode()
    assert (
        "Hand over to a colleague"
        not in client.get(f"/en/my/registrations/{registration.reference}/").content.decode()
    )


def test_sponsor_contact_fills_a_slot_free_of_charge_until_the_cutoff(client):
    category = make_category()  # EUR 500: the package's free code makes it nothing
    contact = make_delegate()
    package = Package.objects.create(
        event=category.event,
        name="Gold",
        sponsor="Steppe Gold LLP",
        contact=contact,
        cutoff=timezone.now() + datetime.timedelta(days=3),
    )
    PackagePasses.objects.create(package=package, category=category, count=5)
    assert sync_package_slots(package) == 5
    client.force_login(contact)

    response = client.post(
        f"/en/my/packages/{package.pk}/slots/1/",
        {"email": "engineer@steppegold.kz", "first_name": "Алия", "last_name": "Серикова",
         "consent_privacy": "on"},
    )  # fmt: skip

    assert response.status_code == 302
    slot = package.slots.get(position=1)
    assert slot.registration.email == "engineer@steppegold.kz"
    assert slot.registration.price == 0
    package.refresh_from_db()
    assert package.code.owner == "Steppe Gold LLP" and package.code.usage_limit == 5
    assert "1 of 5" in client.get("/en/my/delegations/").content.decode()
    package.cutoff = timezone.now() - datetime.timedelta(minutes=1)
    package.save()
    late = client.get(f"/en/my/packages/{package.pk}/slots/2/", follow=True)
    assert "can no longer be filled" in late.content.decode()


@pytest.mark.parametrize("page", ["list", "detail"])
def test_focal_point_pages_make_the_same_queries_for_one_and_three(client, page):
    focal_point = make_delegate()
    category = make_category()
    client.force_login(focal_point)

    def queries(delegation):
        url = "/en/my/delegations/" if page == "list" else f"/en/my/delegations/{delegation.pk}/"
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    one = queries(make_delegation(focal_point, category, size=1))
    three = queries(make_delegation(focal_point, category, size=3))
    assert one == three
