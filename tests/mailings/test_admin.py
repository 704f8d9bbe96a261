"""The mailings admin: write with checks by line, preview per language, test, send once."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mail.models import OutgoingEmail
from mailings.models import Mailing
from registrations.roles import SECRETARIAT, set_up_roles
from tests.factories import make_event, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def secretariat(client):
    set_up_roles()
    user = make_user("secretariat@example.com", is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT))
    client.force_login(user)
    return user


def _form(event, **overrides):
    data = {
        "name": "Practical information",
        "purpose": "event",
        "subject_en": "{{ event }}: practical information",
        "body_en": "{{ greeting }}\n\nSee you soon.",
        "subject_ru": "",
        "body_ru": "",
        "subject_kk": "",
        "body_kk": "",
        "event": event.pk,
        "checked_in": "",
    }
    data.update(overrides)
    return data


def test_admin_refuses_an_unknown_placeholder_naming_the_line(client, secretariat):
    event = make_event()

    response = client.post(
        reverse("admin:mailings_mailing_add"),
        _form(event, body_ru="Здравствуйте,\n\n{{ имя }}"),
    )

    assert response.status_code == 200
    assert "Line 3: unknown placeholder" in response.content.decode()
    assert not Mailing.objects.exists()


def test_admin_preview_test_and_send_once(
    client, secretariat, news_and_event, django_capture_on_commit_callbacks
):
    event, _category, registrations = news_and_event
    client.post(
        reverse("admin:mailings_mailing_add"),
        _form(event, subject_ru="{{ event }}: практическая информация", body_ru="{{ greeting }}"),
    )
    mailing = Mailing.objects.get()

    change = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert "These filters select 2 delegates." in change.content.decode()
    preview = client.get(reverse("admin:mailings_mailing_preview", args=[mailing.pk]))
    page = preview.content.decode()
    assert "практическая информация" in page and ": practical information" in page

    client.post(reverse("admin:mailings_mailing_test", args=[mailing.pk]))
    assert (
        OutgoingEmail.objects.filter(
            kind="mailing.test", recipient="secretariat@example.com"
        ).count()
        == 2
    )

    send_url = reverse("admin:mailings_mailing_send", args=[mailing.pk])
    assert "to 2 delegates" in client.get(send_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(send_url)
    with django_capture_on_commit_callbacks(execute=True):
        second = client.post(send_url, follow=True)  # a double click

    assert "already sent" in second.content.decode()
    assert OutgoingEmail.objects.filter(kind="mailing.event").count() == 2
    page = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))
    assert "0 sent, 0 failed, 2 waiting, of 2." in page.content.decode()


def test_admin_send_to_nobody_is_refused_with_a_message(client, secretariat):
    event = make_event()
    client.post(reverse("admin:mailings_mailing_add"), _form(event))
    mailing = Mailing.objects.get()

    response = client.post(reverse("admin:mailings_mailing_send", args=[mailing.pk]), follow=True)

    assert "there is nobody to send to" in response.content.decode()
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT


def test_organiser_without_the_forum_does_not_see_its_mailing(client, news_and_event):
    event, _category, _registrations = news_and_event
    mailing = Mailing.objects.create(name="x", subject_en="s", body_en="b", event=event)
    set_up_roles()
    organiser = make_user(is_staff=True)
    organiser.groups.add(Group.objects.get(name="Organiser"))
    client.force_login(organiser)

    response = client.get(reverse("admin:mailings_mailing_change", args=[mailing.pk]))

    assert response.status_code in (302, 403, 404)


@pytest.mark.parametrize("rows", [1, 3])
def test_admin_changelist_queries_do_not_grow_with_rows(client, secretariat, rows):
    event = make_event()
    for n in range(rows):
        Mailing.objects.create(name=f"m{n}", subject_en="s", body_en="b", event=event)

    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("admin:mailings_mailing_changelist"))

    assert response.status_code == 200
    assert len(captured) <= 12, [q["sql"] for q in captured]


def test_registration_admin_shows_an_undeliverable_address(client, secretariat, news_and_event):
    _event, _category, registrations = news_and_event

    refused = client.get(
        reverse("admin:registrations_registration_change", args=[registrations["kk"].pk])
    ).content.decode()
    fine = client.get(
        reverse("admin:registrations_registration_change", args=[registrations["ru"].pk])
    ).content.decode()

    assert "Undeliverable since" in refused and "550 No such user" in refused
    assert "Undeliverable since" not in fine and "No permanent refusal" in fine


@pytest.mark.parametrize("rows", [1, 3])
def test_reminder_and_undeliverable_changelists_queries_do_not_grow(client, secretariat, rows):
    from mail.services import record_undeliverable
    from mailings.models import EventReminder

    for n in range(rows):
        EventReminder.objects.create(event=make_event(), days_before=n + 1)
        record_undeliverable(f"gone{n}@example.com", code=550, reason="550 No such user")

    for name in (
        "admin:mailings_eventreminder_changelist",
        "admin:mail_undeliverableaddress_changelist",
    ):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse(name))
        assert response.status_code == 200
        assert len(captured) <= 12, [q["sql"] for q in captured]
    assert "gone0@example.com" in response.content.decode()
