"""Two forums (A and B), each with an event and registrations, and the six kinds of visitor
of the back office: anonymous, a delegate, an organiser of A, an organiser of B, a member of
the secretariat and a superuser (groups from the real `setup_roles` command)."""

import io
from dataclasses import dataclass

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from events.models import Event, Forum
from registrations.models import DelegateCategory, Registration
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

CHANGELIST = "/en/admin/registrations/registration/"
ON_BEHALF = "/en/admin/registrations/registration/on-behalf/"
ADMIN_INDEX = "/en/admin/"
LOGIN = "/en/admin/login/"


def change_url(registration) -> str:
    return f"{CHANGELIST}{registration.pk}/change/"


def change_form_data(registration, **changes) -> dict:
    """What the change page's form posts for `registration` (its editable details, unchanged
    unless `changes` says otherwise), with the read-only history inline's management form."""
    editable = [
        "title",
        "first_name",
        "last_name",
        "latin_name",
        "email",
        "job_title",
        "organisation",
        "country",
        "phone",
        "language",
        "dietary_needs",
        "accessibility_needs",
        "nationality",
        "how_heard",
    ]
    data = dict(Registration.objects.filter(pk=registration.pk).values(*editable).get())
    data = {name: "" if value is None else str(value) for name, value in data.items()}
    current = Registration.objects.get(pk=registration.pk)
    for flag in ("visa_letter_needed", "consent_attendee_list", "consent_marketing"):
        if getattr(current, flag):
            data[flag] = "on"
    data.update(
        {
            "history-TOTAL_FORMS": "0",
            "history-INITIAL_FORMS": "0",
            "history-MIN_NUM_FORMS": "0",
            "history-MAX_NUM_FORMS": "1000",
        }
    )
    for name, value in changes.items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            else:
                data.pop(name, None)
        else:
            data[name] = value
    return data


def make_staff(email: str, *, group: str | None = None, forums=(), **fields) -> User:
    user = User.objects.create_user(email, "a-long-test-password", is_staff=True, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for forum in forums:
        forum.organisers.add(user)
    return user


@dataclass
class World:
    forum_a: Forum
    forum_b: Forum
    event_a: Event
    event_b: Event
    delegates_a: DelegateCategory
    speakers_a: DelegateCategory
    pending_a: Registration  # in the approval category
    confirmed_a: Registration
    registration_b: Registration


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def world(db, django_capture_on_commit_callbacks) -> World:
    forum_a = make_forum(name_en="MINEX Europe", code="EU")
    forum_b = make_forum(name_en="MINEX Asia", code="AS")
    event_a = make_event(forum_a, title_en="MINEX Europe 2026")
    event_b = make_event(forum_b, title_en="MINEX Asia 2026")
    delegates_a = make_category(event_a, name_en="Delegate")
    speakers_a = make_category(event_a, name_en="Speaker", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        pending_a = make_registration(
            speakers_a,
            delegate=make_delegate("pending@example.com", first_name="Paula", last_name="Pending"),
        )
        confirmed_a = make_registration(
            delegates_a,
            delegate=make_delegate(
                "confirmed@example.com", first_name="Conrad", last_name="Confirmed"
            ),
        )
        registration_b = make_registration(
            make_category(event_b, name_en="Delegate"),
            delegate=make_delegate("asia@example.com", first_name="Aslan", last_name="Asia"),
        )
    return World(
        forum_a,
        forum_b,
        event_a,
        event_b,
        delegates_a,
        speakers_a,
        pending_a,
        confirmed_a,
        registration_b,
    )


@pytest.fixture
def people(roles, world) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "delegate": make_delegate("someone@example.com"),
        "organiser_a": make_staff("org-a@example.com", group=ORGANISER, forums=[world.forum_a]),
        "organiser_b": make_staff("org-b@example.com", group=ORGANISER, forums=[world.forum_b]),
        "secretariat": make_staff("sec@example.com", group=SECRETARIAT),
        "superuser": make_staff("root@example.com", is_superuser=True),
    }


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def secretariat(roles) -> User:
    return make_staff("secretariat@minexforum.com", group=SECRETARIAT)


@pytest.fixture
def secretariat_client(secretariat) -> Client:
    return client_for(secretariat)
