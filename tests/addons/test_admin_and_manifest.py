"""The secretariat's side: add-ons with places used, left and waiting; bookings cancelled
through the service; the site-visit manifest, whose special personal data only the
secretariat sees, scoped to the forums a member of staff may see."""

import csv
import io
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import User
from addons.models import AddOn, AddOnBooking
from addons.services import book_add_ons
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

from .factories import make_add_on

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/addons/addon/"
FORMULA = '=HYPERLINK("http://evil","x")'
Status = AddOnBooking.Status


def make_staff(email, *, group, forums=()):
    user = User.objects.create_user(email, "a-long-test-password", is_staff=True)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    user.groups.add(Group.objects.get(name=group))
    for forum in forums:
        forum.organisers.add(user)
    return user


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def forum():
    return make_forum(name_en="MINEX Central Asia")


@pytest.fixture
def visit(forum):
    event = make_event(forum)
    category = make_category(event)
    visit = make_add_on(
        event,
        kind=AddOn.Kind.SITE_VISIT,
        name_en="Site visit",
        capacity=2,
        asks_ppe_size=True,
        asks_passport_name=True,
    )
    people = [
        ("Нурлан", "Абаев", "NURLAN ABAYEV", "KZ", FORMULA),
        ("Anna", "Zimmer", "ANNA ZIMMER", "DE", "Zinc GmbH"),
        ("Late", "Comer", "LATE COMER", "GB", "Waiting Ltd"),
    ]
    for first, last, passport, nationality, organisation in people:
        registration = make_registration(
            category,
            delegate=make_delegate(first_name=first, last_name=last, organisation=organisation),
            nationality=nationality,
        )
        book_add_ons(
            registration,
            [visit],
            acting_user=registration.delegate,
            details={"ppe_size": "M", "passport_name": passport},
        )
    return visit


def read_csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))


def test_secretariat_manifest_has_passport_names_and_nationalities(client, roles, visit):
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))

    response = client.get(f"{CHANGELIST}{visit.pk}/manifest.csv")

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="manifest-site-visit')
    rows = read_csv(response)
    assert rows[0] == [
        "Surname",
        "First name",
        "Name as in the passport",
        "Nationality",
        "Organisation",
        "PPE size",
        "Reference",
    ]
    assert [row[:6] for row in rows[1:]] == [
        ["Zimmer", "Anna", "ANNA ZIMMER", "Germany (DE)", "Zinc GmbH", "M"],
        ["Абаев", "Нурлан", "NURLAN ABAYEV", "Kazakhstan (KZ)", "'" + FORMULA, "M"],
    ]  # by surname; the waitlisted delegate is not on it; the formula is inert


def test_organiser_manifest_leaves_special_data_out(client, roles, visit, forum):
    client.force_login(make_staff("org@minexforum.com", group=ORGANISER, forums=[forum]))

    response = client.get(f"{CHANGELIST}{visit.pk}/manifest.xlsx")

    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Surname", "First name", "Organisation", "PPE size", "Reference"]
    assert rows[2][:3] == ["Абаев", "Нурлан", FORMULA]
    assert sheet["C3"].data_type == "s"  # a string, never a formula
    assert "NURLAN" not in repr(rows)


def test_organiser_of_another_forum_gets_no_manifest(client, roles, visit):
    other = make_forum(name_en="MINEX Europe")
    client.force_login(make_staff("org-eu@minexforum.com", group=ORGANISER, forums=[other]))

    assert client.get(f"{CHANGELIST}{visit.pk}/manifest.csv").status_code == 404
    assert client.get(CHANGELIST).content.decode().count("Site visit") == 0


def test_delegate_gets_no_manifest(client, visit):
    client.force_login(make_delegate())

    assert client.get(f"{CHANGELIST}{visit.pk}/manifest.csv").status_code == 302  # to login


def test_changelist_shows_used_left_and_waitlist(client, roles, visit):
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))

    page = client.get(CHANGELIST).content.decode()

    row = page[page.index("Site visit") :]
    row = row[: row.index("</tr>")]
    cells = [cell.split(">", 1)[1].split("<", 1)[0] for cell in row.split("<td")[1:]]
    # kind, price, currency, capacity, used, left, waitlist
    assert cells[1:8] == ["Mine-site visit", "0.00", "Euro (EUR)", "2", "2", "0", "1"]


@pytest.mark.parametrize("add_ons", [1, 3])
def test_changelist_queries_do_not_grow_with_rows(client, roles, add_ons):
    event = make_event()
    for _ in range(add_ons):
        make_add_on(event, capacity=5, price=Decimal("10"))
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))
    client.get(CHANGELIST)  # warm the session and the permission cache

    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert len(queries) <= 9, "\n".join(q["sql"][:150] for q in queries.captured_queries)


def test_raising_capacity_in_the_admin_promotes_the_waitlist(client, roles, visit):
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))
    change = f"{CHANGELIST}{visit.pk}/change/"
    page = client.get(change)
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name not in ("categories",)
    }
    data.update(
        {
            "capacity": "3",
            "event": str(visit.event_id),
            "sale_starts_at_0": "",
            "sale_starts_at_1": "",
            "sale_ends_at_0": "",
            "sale_ends_at_1": "",
        }
    )
    data = {k: v for k, v in data.items() if v is not False}

    response = client.post(change, data, follow=True)

    assert "1 booking moved up from the waitlist." in response.content.decode()
    assert not AddOnBooking.objects.filter(add_on=visit, status=Status.WAITLISTED).exists()


def test_admin_action_cancels_through_the_service(client, roles, visit):
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))
    confirmed = AddOnBooking.objects.filter(add_on=visit, status=Status.CONFIRMED).first()

    response = client.post(
        "/en/admin/addons/addonbooking/",
        {"action": "cancel_bookings", "_selected_action": [str(confirmed.pk)]},
        follow=True,
    )

    assert "1 booking cancelled." in response.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == Status.CANCELLED
    assert AddOnBooking.objects.filter(add_on=visit, status=Status.CONFIRMED).count() == 2


def test_secretariat_adds_an_add_on_for_some_categories(client, roles, forum):
    event = make_event(forum)
    speakers = make_category(event, name_en="Speaker")
    other_event_category = make_category(make_event())
    client.force_login(make_staff("sec@minexforum.com", group=SECRETARIAT))
    assert client.get(f"{CHANGELIST}add/").status_code == 200

    response = client.post(
        f"{CHANGELIST}add/",
        {
            "event": str(event.pk),
            "kind": AddOn.Kind.MASTER_CLASS,
            "name_en": "Master class: tailings",
            "name_ru": "Мастер-класс: хвосты",
            "price": "80.00",
            "currency": "EUR",
            "capacity": "25",
            "categories": [str(speakers.pk), str(other_event_category.pk)],
            "position": "1",
            "active": "on",
        },
    )

    assert response.status_code == 302
    add_on = AddOn.objects.get(name_en="Master class: tailings")
    assert add_on.name_ru == "Мастер-класс: хвосты"
    # A category of another event means nothing here: it is dropped.
    assert list(add_on.categories.all()) == [speakers]


def test_organiser_may_not_change_an_add_on(client, roles, visit, forum):
    client.force_login(make_staff("org@minexforum.com", group=ORGANISER, forums=[forum]))

    response = client.post(f"{CHANGELIST}{visit.pk}/change/", {"capacity": "99"})

    assert response.status_code == 403
    visit.refresh_from_db()
    assert visit.capacity == 2
