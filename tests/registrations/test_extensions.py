"""The extension points other apps (visa letters, invoices, badges) hang off: the signals the
services send inside their transaction, and the panels on the delegate's registration page."""

import pytest
from django.urls import reverse

from registrations import extensions
from registrations.models import Registration, RegistrationHistory
from registrations.services import approve_registration, cancel_registration
from tests.factories import make_category, make_delegate, make_registration, make_user

pytestmark = pytest.mark.django_db

Status = Registration.Status


class Refusing(Exception):
    pass


@pytest.fixture
def connected():
    """Connect a receiver for the test only."""
    connections = []

    def connect(signal, receiver):
        signal.connect(receiver, weak=False)
        connections.append((signal, receiver))

    yield connect
    for signal, receiver in connections:
        signal.disconnect(receiver)


@pytest.mark.django_db(transaction=True)
def test_a_receiver_that_fails_leaves_no_registration_behind(connected):
    def refuse(sender, registration, actor, **kwargs):
        raise Refusing

    connected(extensions.registration_created, refuse)
    category = make_category()

    with pytest.raises(Refusing):
        make_registration(category)

    assert not Registration.objects.exists()
    assert not RegistrationHistory.objects.exists()


def test_created_is_sent_with_the_saved_registration_and_its_actor(connected):
    seen = []
    connected(
        extensions.registration_created,
        lambda sender, registration, actor, **kw: seen.append(
            (Registration.objects.filter(pk=registration.pk).exists(), actor)
        ),
    )
    delegate = make_delegate()

    make_registration(make_category(), delegate=delegate)

    assert seen == [(True, delegate)]


def test_status_changes_are_sent_with_from_and_to(connected):
    seen = []
    connected(
        extensions.registration_status_changed,
        lambda sender, registration, from_status, to_status, actor, action, **kw: seen.append(
            (from_status, to_status, action)
        ),
    )
    staff = make_user(is_staff=True)
    registration = make_registration(make_category(requires_approval=True))

    approve_registration(registration, acting_user=staff)
    cancel_registration(Registration.objects.get(pk=registration.pk), acting_user=staff)

    assert seen == [
        (Status.PENDING, Status.CONFIRMED, RegistrationHistory.Action.APPROVED),
        (Status.CONFIRMED, Status.CANCELLED, RegistrationHistory.Action.CANCELLED),
    ]


def test_a_panel_shows_on_the_delegates_page_only_when_it_has_something_to_say(
    client, tmp_path, settings
):
    (tmp_path / "panel.html").write_text(
        "<section class='panel-under-test'>{{ registration.reference }} {{ word }}</section>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"], tmp_path]}
    ]
    shown = {"yes": True}
    panel = extensions.DetailPanel(
        template="panel.html",
        context=lambda request, registration: {"word": "visible"} if shown["yes"] else None,
    )
    extensions.add_detail_panel(panel)
    try:
        delegate = make_delegate()
        registration = make_registration(make_category(), delegate=delegate)
        client.force_login(delegate)
        url = reverse("registration_detail", args=[registration.reference])

        page = client.get(url).content.decode()
        assert f"{registration.reference} visible" in page

        shown["yes"] = False
        assert "panel-under-test" not in client.get(url).content.decode()
    finally:
        extensions._detail_panels.remove(panel)
