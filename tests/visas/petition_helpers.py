"""Builders for the migration-service list, the retention and the digest tests: staff with the
visa permissions and requests moved through the visa services."""

import io

from django.contrib.auth.models import Permission
from openpyxl import load_workbook

from accounts.models import User
from tests.factories import (
    PASSPORT,
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
    make_user,
    make_visa_request,
)
from visas import services

SECRETARIAT_PERMISSIONS = (
    ("visas", "view_passport_data"),
    ("visas", "view_visarequest"),
    ("visas", "change_visarequest"),
    ("registrations", "view_registration"),
)


def _grant(user: User, permissions) -> None:
    for app_label, codename in permissions:
        user.user_permissions.add(
            Permission.objects.get(codename=codename, content_type__app_label=app_label)
        )


def make_secretariat(*, forums=(), all_forums: bool = True, upload: bool = True) -> User:
    """Staff with passport-data access (and the change permission unless `upload` is False);
    every forum with `all_forums`, else only `forums` (a secretariat of one forum)."""
    user = make_user(is_staff=True)
    permissions = [p for p in SECRETARIAT_PERMISSIONS if upload or p[1] != "change_visarequest"]
    if all_forums:
        permissions.append(("events", "view_all_forums"))
    _grant(user, permissions)
    for forum in forums:
        forum.organisers.add(user)
    return User.objects.get(pk=user.pk)  # no stale permission cache


def make_organiser(*, forums=()) -> User:
    """Staff who read the forums' registrations and visa requests, without passport data."""
    user = make_user(is_staff=True)
    _grant(user, [("registrations", "view_registration"), ("visas", "view_visarequest")])
    for forum in forums:
        forum.organisers.add(user)
    return User.objects.get(pk=user.pk)


def visa_event(**fields):
    forum = fields.pop("forum", None) or make_forum()
    event = make_event(forum, **fields)
    return event, make_category(event)


def requested(category, *, first_name="Ivan", last_name="Petrov", **passport):
    """A delegate's request (status requested) through `request_visa_letter`."""
    delegate = make_delegate(first_name=first_name, last_name=last_name)
    registration = make_registration(
        category, delegate=delegate, visa_letter_needed=True, nationality="GB"
    )
    return make_visa_request(registration, **{**PASSPORT, **passport})


def in_review(category, *, by, **values):
    request = requested(category, **values)
    return services.start_review(request, acting_user=by)


def filed(category, *, by, petition_number="KZ-2026-000123", **values):
    request = in_review(category, by=by, **values)
    return services.record_petition(request, petition_number=petition_number, acting_user=by)


def issued(category, *, by, **values):
    request = filed(category, by=by, **values)
    letter = services.issue_letter(request, acting_user=by)
    request.refresh_from_db()
    return request, letter


def read_xlsx(content: bytes) -> list[list]:
    sheet = load_workbook(io.BytesIO(content)).active
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def xlsx_bytes(rows: list[list]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
