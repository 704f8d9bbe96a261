"""Codes and batches in the admin: scoped to one's forums, a batch made through the
service, uses counted, and the changelists' query counts."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from pricing.models import Code, CodeBatch, CodeUse
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_event, make_forum, make_registration
from tests.pricing.factories import make_code
from tests.registrations.admin.conftest import client_for, make_staff

pytestmark = pytest.mark.django_db

CODES = "/en/admin/pricing/code/"
NEW_BATCH = "/en/admin/pricing/codebatch/add/"


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def secretariat(roles):
    return client_for(make_staff("sec@example.com", group=SECRETARIAT))


def test_the_code_list_shows_uses_against_the_limit(secretariat):
    category = make_category()
    code = make_code(category.event, "PARTNER10", usage_limit=5, owner="Sponsor X")
    for _ in range(2):
        CodeUse.objects.create(code=code, registration=make_registration(category))

    page = secretariat.get(CODES).content.decode()

    assert "PARTNER10" in page and "Sponsor X" in page
    assert "2 / 5" in page


def test_a_code_list_is_scoped_to_the_forums_one_organises(roles):
    forum_a, forum_b = make_forum(), make_forum()
    make_code(make_event(forum_a), "FORUM-A")
    make_code(make_event(forum_b), "FORUM-B")
    superuser = client_for(make_staff("root@example.com", is_superuser=True))
    organiser = make_staff("org@example.com", group=ORGANISER, forums=[forum_a])
    organiser.user_permissions.add(*_permissions("view_code"))

    seen = client_for(organiser).get(CODES).content.decode()
    everything = superuser.get(CODES).content.decode()

    assert "FORUM-A" in seen and "FORUM-B" not in seen
    assert "FORUM-A" in everything and "FORUM-B" in everything


def test_an_organiser_without_the_permission_gets_no_code_list(roles):
    forum = make_forum()
    organiser = make_staff("org@example.com", group=ORGANISER, forums=[forum])
    assert client_for(organiser).get(CODES).status_code == 403


def test_a_batch_of_fifty_for_a_sponsor(secretariat):
    event = make_event()
    category = make_category(event, invite_only=True)

    response = secretariat.post(
        NEW_BATCH,
        {
            "event": event.pk,
            "count": 50,
            "prefix": "gold",
            "batch_name": "50 for Sponsor X",
            "owner": "Sponsor X",
            "discount_kind": "free",
            "discount_value": "0",
            "categories": [category.pk],
            "usage_limit": 1,
        },
    )

    assert response.status_code == 302
    batch = CodeBatch.objects.get(name="50 for Sponsor X")
    codes = Code.objects.filter(batch=batch)
    assert codes.count() == 50
    assert all(code.code.startswith("GOLD-") for code in codes)
    assert {tuple(code.categories.all()) for code in codes} == {(category,)}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"discount_kind": "percent", "discount_value": "150"}, "cannot be above 100"),
        ({"code": "bad code!"}, "A code has 3 to 40 characters"),
        ({"code": "TAKEN"}, "This event already has this code."),
    ],
)
def test_a_bad_batch_is_refused_and_nothing_made(secretariat, fields, message):
    event = make_event()
    make_code(event, "TAKEN")
    data = {
        "event": event.pk,
        "count": 1,
        "discount_kind": "percent",
        "discount_value": "10",
        "usage_limit": 1,
        **fields,
    }

    response = secretariat.post(NEW_BATCH, data)

    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert Code.objects.filter(event=event).count() == 1
    assert not CodeBatch.objects.exists()


def _count_changelist_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(CODES).status_code == 200
    return len(queries)


def test_the_code_list_costs_the_same_for_one_and_three_codes(secretariat):
    event = make_event()
    make_code(event, "ONE", discount_value=Decimal("5"))
    one = _count_changelist_queries(secretariat)
    make_code(event, "TWO")
    make_code(event, "THREE")
    three = _count_changelist_queries(secretariat)
    assert one == three


def _permissions(*codenames):
    from django.contrib.auth.models import Permission

    return Permission.objects.filter(content_type__app_label="pricing", codename__in=codenames)
