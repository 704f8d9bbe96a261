"""Capacity edits in the admin promote the waitlist through the services; the roles command
sets up the groups, idempotently."""

import io

import pytest
from django.contrib.auth.models import Group
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command

from registrations.models import Registration
from registrations.roles import ORGANISER, ROLE_PERMISSIONS, SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def full_event(world, django_capture_on_commit_callbacks):
    event = make_event(world.forum_a, capacity=1, title_en="Small Room 2026")
    category = make_category(event, name_en="Delegate")
    with django_capture_on_commit_callbacks(execute=True):
        make_registration(category, delegate=make_delegate("in@example.com"))
        waiting = [
            make_registration(category, delegate=make_delegate(f"wait{n}@example.com"))
            for n in range(3)
        ]
    assert {r.status for r in waiting} == {"waitlisted"}
    mail.outbox.clear()
    return event, category, waiting


def _form_data(client, url):
    form = client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if value is None or isinstance(value, list | dict):
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    return data


def test_raising_event_capacity_in_the_admin_promotes_the_waitlist(
    secretariat_client, full_event, django_capture_on_commit_callbacks
):
    event, _category, waiting = full_event
    url = f"/en/admin/events/event/{event.pk}/change/"
    data = _form_data(secretariat_client, url)
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(event, name)
        data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), "00:00:00"
        data.pop(name, None)
    data["capacity"] = 3

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.capacity == 3
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed", "confirmed", "waitlisted"]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "2 registrations were promoted from the waitlist." in messages
    assert sorted(m.to[0] for m in mail.outbox) == ["wait0@example.com", "wait1@example.com"]
    entry = Registration.objects.get(pk=waiting[0].pk).history.order_by("-at", "-pk").first()
    assert entry.details == {"cause": "event_capacity"}


def test_raising_category_capacity_in_the_admin_promotes(
    secretariat_client, full_event, django_capture_on_commit_callbacks
):
    event, category, waiting = full_event
    event.capacity = 10
    event.save(update_fields=["capacity"])
    category.capacity = 1
    category.save(update_fields=["capacity"])
    url = f"/en/admin/registrations/delegatecategory/{category.pk}/change/"
    data = _form_data(secretariat_client, url)
    data["capacity"] = 2

    with django_capture_on_commit_callbacks(execute=True):
        response = secretariat_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert [Registration.objects.get(pk=r.pk).status for r in waiting] == [
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert "1 registration was promoted from the waitlist." in messages


def test_organiser_sees_only_their_forums_events_in_the_admin(people, world):
    from .conftest import client_for

    client = client_for(people["organiser_b"])
    page = client.get("/en/admin/events/event/").content.decode()
    assert "MINEX Asia 2026" in page and "MINEX Europe 2026" not in page
    response = client.get(f"/en/admin/events/event/{world.event_a.pk}/change/")
    assert response.status_code == 302
    categories = client.get("/en/admin/registrations/delegatecategory/").content.decode()
    assert "Speaker" not in categories


def test_setup_roles_is_idempotent_and_exact(roles):
    secretariat = Group.objects.get(name=SECRETARIAT)
    secretariat.permissions.clear()

    call_command("setup_roles", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())

    assert Group.objects.filter(name__in=[SECRETARIAT, ORGANISER]).count() == 2
    for name, expected in ROLE_PERMISSIONS.items():
        granted = {
            f"{p.content_type.app_label}.{p.codename}"
            for p in Group.objects.get(name=name).permissions.select_related("content_type")
        }
        assert granted == set(expected)
    assert "events.view_all_forums" not in ROLE_PERMISSIONS[ORGANISER]
    assert not any(p.startswith(("registrations.change", "registrations.add"))
                   for p in ROLE_PERMISSIONS[ORGANISER])  # fmt: skip


def _first(queries: list[str], *fragments: str) -> int:
    return next(i for i, sql in enumerate(queries) if all(f in sql for f in fragments))


def test_category_capacity_edit_in_the_admin_locks_the_event_before_the_category(
    secretariat_client, full_event, django_capture_on_commit_callbacks
):
    """register_delegate locks event, then category; the admin save must do the same, or a
    registration and a capacity edit wait for each other (a deadlock)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event, category, waiting = full_event
    event.capacity = 10
    event.save(update_fields=["capacity"])
    url = f"/en/admin/registrations/delegatecategory/{category.pk}/change/"
    data = _form_data(secretariat_client, url)
    data["capacity"] = 5
    data["name_en"] = "Delegate (renamed)"

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = secretariat_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    sql = [q["sql"] for q in queries.captured_queries]
    event_lock = _first(sql, 'FROM "events_event"', "FOR NO KEY UPDATE")
    first_category_write = min(
        _first(sql, 'UPDATE "registrations_delegatecategory"'),
        _first(sql, 'FROM "registrations_delegatecategory"', "FOR NO KEY UPDATE"),
    )
    assert event_lock < first_category_write
    # The plain save leaves the capacity to the service.
    plain_save = sql[_first(sql, 'UPDATE "registrations_delegatecategory"')]
    assert '"capacity"' not in plain_save
    category.refresh_from_db()
    assert (category.capacity, category.name_en) == (5, "Delegate (renamed)")
    assert {Registration.objects.get(pk=r.pk).status for r in waiting} == {"confirmed"}


def test_event_edit_in_the_admin_locks_the_event_and_leaves_the_capacity_to_the_service(
    secretariat_client, full_event, django_capture_on_commit_callbacks
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    event, _category, waiting = full_event
    url = f"/en/admin/events/event/{event.pk}/change/"
    data = _form_data(secretariat_client, url)
    for name in ("registration_opens_at", "registration_closes_at"):
        value = getattr(event, name)
        data[f"{name}_0"], data[f"{name}_1"] = value.strftime("%Y-%m-%d"), "00:00:00"
        data.pop(name, None)
    data["capacity"] = 2
    data["title_en"] = "Small Room 2026 (moved)"

    with (
        CaptureQueriesContext(connection) as queries,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = secretariat_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    sql = [q["sql"] for q in queries.captured_queries]
    event_lock = _first(sql, 'FROM "events_event"', "FOR NO KEY UPDATE")
    plain_save = _first(sql, 'UPDATE "events_event"')
    assert event_lock < plain_save
    assert '"capacity"' not in sql[plain_save]
    event.refresh_from_db()
    assert (event.capacity, event.title_en) == (2, "Small Room 2026 (moved)")
    statuses = [Registration.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed", "waitlisted", "waitlisted"]


def test_existing_category_cannot_be_moved_to_another_event(secretariat_client, world):
    category = make_category(world.event_a, name_en="Delegate")
    other_event = make_event(world.forum_a, title_en="Other Forum 2026")
    url = f"/en/admin/registrations/delegatecategory/{category.pk}/change/"
    data = _form_data(secretariat_client, url)
    data["event"] = other_event.pk

    response = secretariat_client.post(url, data)

    assert response.status_code == 302
    assert "event" not in secretariat_client.get(url).context["adminform"].form.fields
    category.refresh_from_db()
    assert category.event_id == world.event_a.pk


def test_new_category_chooses_its_event(secretariat_client):
    response = secretariat_client.get("/en/admin/registrations/delegatecategory/add/")

    assert "event" in response.context["adminform"].form.fields
