"""Organisers, an event with varied registrations (Cyrillic, Kazakh, formulas, phones), and
helpers to read what an export sent."""

import csv
import io
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from accounts.models import User
from events.models import Event, Forum
from registrations.models import DelegateCategory, Registration
from registrations.services import cancel_registration, check_in_registration
from tests.factories import make_category, make_delegate, make_event, make_forum, make_user

FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "@SUM(A1)", "-2+3"]


def make_staff(
    *,
    forums=(),
    permission: bool = True,
    all_forums: bool = False,
    special: bool = False,
    **fields,
) -> User:
    """A staff account with `registrations.view_registration` (as the Organiser group gives),
    organiser of `forums`; `all_forums` adds `events.view_all_forums` and `special`
    `accounts.view_special_personal_data` (both of which the secretariat holds)."""
    user = make_user(**{"is_staff": True, **fields})
    if special:
        user.user_permissions.add(
            Permission.objects.get(
                codename="view_special_personal_data", content_type__app_label="accounts"
            )
        )
    if permission:
        user.user_permissions.add(
            Permission.objects.get(
                codename="view_registration", content_type__app_label="registrations"
            )
        )
    if all_forums:
        user.user_permissions.add(
            Permission.objects.get(codename="view_all_forums", content_type__app_label="events")
        )
    for forum in forums:
        forum.organisers.add(user)
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


@dataclass
class ForumWithAttendees:
    forum: Forum
    event: Event
    delegates: DelegateCategory
    speakers: DelegateCategory
    kazakh: Registration
    russian: Registration
    english: Registration
    hidden: Registration
    cancelled: Registration


@pytest.fixture
def attendees(django_capture_on_commit_callbacks) -> ForumWithAttendees:
    """Forum A's event: four live registrations, one cancelled.

    - kazakh: confirmed, listed, visa letter (nationality RU), checked in, organisation a
      HYPERLINK formula, Kazakh letters in the job title;
    - russian: confirmed, listed, Cyrillic name, organisation "+1+1", job title "-2+3";
    - english: pending (approval category), not listed, organisation "@SUM(A1)";
    - hidden: confirmed, NOT listed;
    - cancelled: was confirmed and listed, then cancelled.
    """
    forum = make_forum(name_en="MINEX Asia")
    event = make_event(forum, title_en="MINEX Asia 2026", capacity=50)
    delegates = make_category(event, name_en="Delegate", name_ru="Делегат", capacity=10)
    speakers = make_category(event, name_en="Speaker", requires_approval=True)
    organiser = make_staff(forums=[forum])

    def register(category, *, profile, **fields):
        from tests.factories import make_registration

        delegate = make_delegate(**profile)
        return make_registration(category, delegate=delegate, **fields)

    with django_capture_on_commit_callbacks(execute=True):
        kazakh = register(
            delegates,
            profile={
                "first_name": "Әйгерім",
                "last_name": "Нұрланқызы",
                "latin_name": "Aigerim Nurlankyzy",
                "job_title": "Бас геолог, Қазақстан",
                "organisation": FORMULAS[0],
                "country": "KZ",
                "phone": "+77012345678",
                "preferred_language": "kk",
            },
            consent_attendee_list=True,
            visa_letter_needed=True,
            nationality="RU",
            dietary_needs="Халал",
            language="kk",
        )
        russian = register(
            delegates,
            profile={
                "first_name": "Иван",
                "last_name": "Петров",
                "latin_name": "Ivan Petrov",
                "job_title": FORMULAS[3],
                "organisation": FORMULAS[1],
                "country": "RU",
                "phone": "+79161234567",
            },
            consent_attendee_list=True,
            consent_marketing=True,
            language="ru",
        )
        english = register(
            speakers,
            profile={
                "first_name": "Anna",
                "last_name": "Smith",
                "latin_name": "Anna Smith",
                "organisation": FORMULAS[2],
                "country": "GB",
                "phone": "+442071234567",
            },
        )
        hidden = register(
            delegates,
            profile={"first_name": "Bolat", "last_name": "Zhunusov", "latin_name": "",
                     "country": "KZ"},
        )  # fmt: skip
        cancelled = register(
            delegates,
            profile={"first_name": "Carl", "last_name": "Abbott", "latin_name": "",
                     "country": "DE"},
            consent_attendee_list=True,
        )  # fmt: skip
        cancel_registration(cancelled, acting_user=None, reason="Cannot travel")
        check_in_registration(kazakh, acting_user=organiser)
    return ForumWithAttendees(
        forum, event, delegates, speakers, kazakh, russian, english, hidden, cancelled
    )


def read_csv(content: bytes, delimiter: str) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(content[3:].decode("utf-8")), delimiter=delimiter))


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def as_dicts(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


def body_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    return response.content


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Export files go to a fresh folder per test."""
    settings.MEDIA_ROOT = tmp_path / "media"
