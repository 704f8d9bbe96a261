"""An event with confirmed delegates and their badges, the roles from the real `setup_roles`,
and staff of each kind (check-in staff assigned to the event's forum)."""

import io
import json

import pytest
from django.core.management import call_command

from badges.tokens import badge_token
from registrations.roles import CHECKIN_STAFF, ORGANISER, SECRETARIAT
from tests.badges.conftest import client_for, make_staff
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

__all__ = ["client_for", "make_staff"]


def token_of(registration) -> str:
    registration.badge.refresh_from_db()
    return badge_token(registration.badge)


def post_json(client, url, body, **extra):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def forum(db):
    return make_forum(name_en="MINEX Central Asia")


@pytest.fixture
def event(forum):
    return make_event(forum, title_en="MINEX Central Asia 2026")


@pytest.fixture
def category(event):
    return make_category(event, name_en="Delegate", name_ru="Делегат", price=0)


@pytest.fixture
def delegate_registration(category):
    return make_registration(
        category, delegate=make_delegate(first_name="Әйгерім", last_name="Нұрланқызы")
    )


@pytest.fixture
def door(roles, forum):
    """A member of the check-in staff, assigned to the event's forum."""
    return make_staff("door@minexforum.com", group=CHECKIN_STAFF, forums=[forum])


@pytest.fixture
def people(roles, forum):
    return {
        "delegate": make_delegate("someone@example.com"),
        "organiser": make_staff("org@example.com", group=ORGANISER, forums=[forum]),
        "other_organiser": make_staff(
            "org-b@example.com", group=ORGANISER, forums=[make_forum(name_en="MINEX Europe")]
        ),
        "other_door": make_staff(
            "door-b@example.com", group=CHECKIN_STAFF, forums=[make_forum(name_en="Other")]
        ),
        "door": make_staff("door@example.com", group=CHECKIN_STAFF, forums=[forum]),
        "secretariat": make_staff("sec@example.com", group=SECRETARIAT),
    }
