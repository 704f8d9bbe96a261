"""The export log in the admin: read-only, and only the exports of one's own forums."""

import pytest
from django.contrib.auth.models import Permission

from exports.models import ExportLog
from tests.factories import make_event, make_forum

from .conftest import make_staff

pytestmark = pytest.mark.django_db


def log_for(event, user):
    return ExportLog.objects.create(
        event=event, user=user, format="csv", variant="full", columns=["reference"],
        language="en", status="done", row_count=3,
    )  # fmt: skip


def test_export_log_admin_lists_only_the_users_forums_and_is_read_only(client):
    forum_a, forum_b = make_forum(), make_forum()
    event_a, event_b = make_event(forum_a), make_event(forum_b)
    organiser_b = make_staff(forums=[forum_b])
    organiser_b.user_permissions.add(
        Permission.objects.get(codename="view_exportlog", content_type__app_label="exports")
    )
    log_a, log_b = log_for(event_a, make_staff(forums=[forum_a])), log_for(event_b, organiser_b)
    client.force_login(organiser_b)

    changelist = client.get("/en/admin/exports/exportlog/").content.decode()

    assert f"/en/admin/exports/exportlog/{log_b.pk}/change/" in changelist
    assert f"/en/admin/exports/exportlog/{log_a.pk}/change/" not in changelist
    assert client.get(f"/en/admin/exports/exportlog/{log_a.pk}/change/").status_code == 302
    detail = client.get(f"/en/admin/exports/exportlog/{log_b.pk}/change/")
    assert detail.status_code == 200
    assert 'name="_save"' not in detail.content.decode()
    assert client.get("/en/admin/exports/exportlog/add/").status_code == 403


def test_export_log_admin_shows_the_file_name_without_a_media_link(client, settings):
    settings.MEDIA_URL = "/media/"
    forum = make_forum()
    organiser = make_staff(forums=[forum])
    organiser.user_permissions.add(
        Permission.objects.get(codename="view_exportlog", content_type__app_label="exports")
    )
    log = log_for(make_event(forum), organiser)
    ExportLog.objects.filter(pk=log.pk).update(file="exports/2026/11/asia-attendees.xlsx")
    client.force_login(organiser)

    page = client.get(f"/en/admin/exports/exportlog/{log.pk}/change/").content.decode()

    assert "asia-attendees.xlsx" in page
    assert "/media/exports/" not in page
