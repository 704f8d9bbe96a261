"""Two forums, the back-office roles from the real `setup_roles`, and staff of each kind."""

import io

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.test import Client

from accounts.models import User
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

BADGES = "/en/admin/badges/badge/"


def make_staff(email: str, *, group: str | None = None, forums=(), **fields) -> User:
    user = User.objects.create_user(email, "a-long-test-password", is_staff=True, **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for forum in forums:
        forum.organisers.add(user)
    return user


def client_for(user: User | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def forum_a(db):
    return make_forum(name_en="MINEX Europe")


@pytest.fixture
def event_a(forum_a):
    return make_event(forum_a, title_en="MINEX Europe 2026")


@pytest.fixture
def event_b(db):
    return make_event(make_forum(name_en="MINEX Asia"), title_en="MINEX Asia 2026")


@pytest.fixture
def secretariat(roles):
    return make_staff("secretariat@minexforum.com", group=SECRETARIAT)


def register(event, n: int, **category_fields) -> list:
    """`n` confirmed registrations for `event` in one category."""
    category = make_category(event, **category_fields)
    return [
        make_registration(
            category,
            delegate=make_delegate(first_name=f"Delegate{index}", last_name=f"Surname{index:04d}"),
        )
        for index in range(n)
    ]


@pytest.fixture
def people(roles, forum_a):
    return {
        "delegate": make_delegate("someone@example.com"),
        "organiser": make_staff("org@example.com", group=ORGANISER, forums=[forum_a]),
        "secretariat": make_staff("sec@example.com", group=SECRETARIAT),
        "superuser": make_staff("root@example.com", is_superuser=True),
    }
