"""Forums X and Y, their staff (real roles from setup_roles), tokens, and an API client."""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.utils import translation
from rest_framework.test import APIClient

from accounts.models import User
from api import services
from api.models import Scope
from events.models import Event, Forum
from registrations.models import DelegateCategory, Registration
from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import make_category, make_event, make_forum, make_registration, make_user

ALL_SCOPES = [scope.value for scope in Scope]


@pytest.fixture(autouse=True)
def _default_language():
    with translation.override(settings.LANGUAGE_CODE):
        yield


def make_staff(group: str, *, forums=()) -> User:
    call_command("setup_roles", verbosity=0)
    user = make_user(is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    for forum in forums:
        forum.organisers.add(user)
    return User.objects.get(pk=user.pk)


def key_for(user: User, scopes=None) -> str:
    scopes = scopes or sorted(services.scopes_allowed(user))
    _token, key = services.create_token(user, name="test", scopes=scopes, acting_user=user)
    return key


def client_with(key: str | None = None) -> APIClient:
    client = APIClient()
    if key:
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client


@dataclass
class TwoForums:
    x: Forum
    y: Forum
    event_x: Event
    event_y: Event
    category_x: DelegateCategory
    approval_x: DelegateCategory
    registration_x: Registration
    pending_x: Registration
    registration_y: Registration
    organiser_x: User
    organiser_y: User
    secretariat: User


@pytest.fixture
def forums(django_capture_on_commit_callbacks) -> TwoForums:
    x = make_forum(name_en="MINEX Astana", name_ru="МИНЕКС Астана")
    y = make_forum(name_en="MINEX Europe")
    event_x = make_event(x, title_en="Astana 2026", title_ru="Астана 2026")
    event_y = make_event(y)
    category_x = make_category(event_x, name_en="Delegate", name_ru="Делегат")
    approval_x = make_category(event_x, name_en="Speaker", requires_approval=True)
    category_y = make_category(event_y)
    with django_capture_on_commit_callbacks(execute=True):
        registration_x = make_registration(category_x)
        pending_x = make_registration(approval_x)
        registration_y = make_registration(category_y)
    return TwoForums(
        x=x,
        y=y,
        event_x=event_x,
        event_y=event_y,
        category_x=category_x,
        approval_x=approval_x,
        registration_x=registration_x,
        pending_x=pending_x,
        registration_y=registration_y,
        organiser_x=make_staff(ORGANISER, forums=[x]),
        organiser_y=make_staff(ORGANISER, forums=[y]),
        secretariat=make_staff(SECRETARIAT),
    )
