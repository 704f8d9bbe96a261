"""Who reaches the staff pages: an organiser of forum B never sees forum A, by any URL."""

import pytest
from django.test import override_settings

from exports.models import ExportLog
from exports.services import build_xlsx_export
from tests.factories import make_delegate, make_event, make_forum

from .conftest import body_of, make_staff

pytestmark = pytest.mark.django_db


def urls_of(event, export) -> list[tuple[str, str]]:
    return [
        ("get", f"/en/staff/events/{event.slug}/dashboard/"),
        ("get", f"/en/staff/events/{event.slug}/export/"),
        ("csv", f"/en/staff/events/{event.slug}/export/"),
        ("csv_semicolon", f"/en/staff/events/{event.slug}/export/"),
        ("xlsx", f"/en/staff/events/{event.slug}/export/"),
        ("get", f"/en/staff/exports/{export.pk}/"),
        ("get", f"/en/staff/exports/{export.pk}/download/"),
    ]


def request(client, method, url):
    if method == "get":
        return client.get(url)
    return client.post(url, {"format": method, "variant": "full", "columns": ["reference"]})


@pytest.fixture
def forum_a_export(attendees):
    """A finished XLSX export of forum A's event, made by its organiser."""
    organiser_a = make_staff(forums=[attendees.forum])
    export = ExportLog.objects.create(
        event=attendees.event, user=organiser_a, format="xlsx", variant="full",
        columns=["reference"], language="en", status="queued", rows_total=5,
    )  # fmt: skip
    build_xlsx_export(export.pk)
    export.refresh_from_db()
    assert export.status == "done"
    return organiser_a, export


def test_organiser_of_forum_b_gets_404_for_forum_a_by_every_url(client, attendees, forum_a_export):
    organiser_b = make_staff(forums=[make_forum(name_en="MINEX Europe")])
    client.force_login(organiser_b)
    _organiser_a, export = forum_a_export

    for method, url in urls_of(attendees.event, export):
        response = request(client, method, url)
        assert response.status_code == 404, (method, url, response.status_code)
        assert attendees.kazakh.reference.encode() not in body_of(response)
    assert ExportLog.objects.count() == 1


def test_organiser_of_forum_b_does_not_see_forum_a_in_the_index(client, attendees):
    forum_b = make_forum(name_en="MINEX Europe")
    event_b = make_event(forum_b, title_en="MINEX Europe 2026")
    client.force_login(make_staff(forums=[forum_b]))

    page = client.get("/en/staff/").content.decode()

    assert "MINEX Europe 2026" in page
    assert f"/en/staff/events/{event_b.slug}/dashboard/" in page
    assert attendees.event.slug not in page


def test_anonymous_visitors_go_to_the_login_page(client, attendees, forum_a_export):
    _organiser_a, export = forum_a_export

    for method, url in [("get", "/en/staff/"), *urls_of(attendees.event, export)]:
        response = request(client, method, url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/en/accounts/login/?next=")


def test_users_without_the_staff_permission_get_403(client, attendees, forum_a_export):
    _organiser_a, export = forum_a_export
    delegate = make_delegate()
    staff_without_permission = make_staff(forums=[attendees.forum], permission=False)
    not_staff_with_permission = make_staff(forums=[attendees.forum], is_staff=False)
    inactive = make_staff(forums=[attendees.forum])

    for user in (delegate, staff_without_permission, not_staff_with_permission):
        client.force_login(user)
        for method, url in [("get", "/en/staff/"), *urls_of(attendees.event, export)]:
            assert request(client, method, url).status_code == 403, (user, method, url)
    inactive.is_active = False
    inactive.save(update_fields=["is_active"])
    client.force_login(inactive)  # a session of an account deactivated since
    assert client.get("/en/staff/").status_code == 302


def test_organiser_of_forum_a_reaches_every_url_of_forum_a(client, attendees, forum_a_export):
    organiser_a, export = forum_a_export
    client.force_login(organiser_a)

    for method, url in urls_of(attendees.event, export):
        response = request(client, method, url)
        assert response.status_code == 200, (method, url)
    download = client.get(f"/en/staff/exports/{export.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment;")


def test_another_organiser_of_the_same_forum_cannot_open_someone_elses_export(
    client, attendees, forum_a_export
):
    _organiser_a, export = forum_a_export
    client.force_login(make_staff(forums=[attendees.forum]))

    assert client.get(f"/en/staff/exports/{export.pk}/").status_code == 404
    assert client.get(f"/en/staff/exports/{export.pk}/download/").status_code == 404


def test_an_organiser_removed_from_the_forum_loses_their_own_downloads(
    client, attendees, forum_a_export
):
    organiser_a, export = forum_a_export
    attendees.forum.organisers.remove(organiser_a)
    client.force_login(organiser_a)

    assert client.get(f"/en/staff/exports/{export.pk}/download/").status_code == 404


def test_secretariat_and_superuser_see_every_forum(client, attendees):
    make_event(make_forum(), title_en="Other forum's event")
    secretariat = make_staff(all_forums=True)
    superuser = make_staff(permission=False, is_superuser=True)

    for user in (secretariat, superuser):
        client.force_login(user)
        page = client.get("/en/staff/").content.decode()
        assert "MINEX Asia 2026" in page
        assert "Other forum&#x27;s event" in page or "Other forum's event" in page
        assert client.get(f"/en/staff/events/{attendees.event.slug}/dashboard/").status_code == 200


@override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=2)
def test_a_queued_export_of_forum_a_is_404_for_forum_b(
    client, attendees, django_capture_on_commit_callbacks
):
    organiser_a = make_staff(forums=[attendees.forum])
    client.force_login(organiser_a)
    with django_capture_on_commit_callbacks(execute=False):
        response = request(client, "xlsx", f"/en/staff/events/{attendees.event.slug}/export/")
    export = ExportLog.objects.get()
    assert response.status_code == 302
    assert export.status == "queued"

    client.force_login(make_staff(forums=[make_forum()]))
    assert client.get(f"/en/staff/exports/{export.pk}/").status_code == 404
    assert client.get(f"/en/staff/exports/{export.pk}/download/").status_code == 404


# Special personal data: passport name, nationality, phone, dietary and accessibility needs.
# The real groups (setup_roles): the Secretariat has `accounts.view_special_personal_data`,
# the Organiser does not, and gets no such column whatever it asks for.

SPECIAL_HEADERS = {"Name in Latin letters", "Nationality", "Phone", "Dietary needs",
                   "Accessibility needs"}  # fmt: skip
SPECIAL_COLUMNS = {"latin_name", "nationality", "phone", "dietary_needs", "accessibility_needs"}
# Values of the attendees fixture's registrations in those columns.
SPECIAL_VALUES = ("Aigerim Nurlankyzy", "Ivan Petrov", "Халал", "+77012345678", "+79161234567")


@pytest.fixture
def by_role(attendees):
    import io

    from django.contrib.auth.models import Group
    from django.core.management import call_command

    from accounts.models import User
    from registrations.roles import ORGANISER, SECRETARIAT

    call_command("setup_roles", stdout=io.StringIO())
    organiser = make_staff(forums=[attendees.forum], permission=False)
    organiser.groups.add(Group.objects.get(name=ORGANISER))
    secretariat = make_staff(permission=False)
    secretariat.groups.add(Group.objects.get(name=SECRETARIAT))
    return {role: User.objects.get(pk=user.pk) for role, user in
            (("organiser", organiser), ("secretariat", secretariat))}  # fmt: skip


def _export_everything(client, event, format, capture):
    """POST every column; return (headers, the whole file as text, the export's log row)."""
    from exports.columns import COLUMNS

    from .conftest import read_csv, read_xlsx

    url = f"/en/staff/events/{event.slug}/export/"
    data = {"format": format.removesuffix("_async"), "variant": "full", "columns": list(COLUMNS)}
    if format == "xlsx_async":
        with override_settings(EXPORTS_XLSX_SYNC_MAX_ROWS=1), capture(execute=True):
            response = client.post(url, data)
        assert response.status_code == 302
        export = ExportLog.objects.get()
        assert export.status == "done"
        with export.file.open("rb") as file:
            rows = read_xlsx(file.read())
    else:
        response = client.post(url, data)
        assert response.status_code == 200
        body = body_of(response)
        rows = read_xlsx(body) if format == "xlsx" else read_csv(body, ";" if "semi" in format
                                                                  else ",")  # fmt: skip
        export = ExportLog.objects.get()
    text = "\n".join(" ".join(str(value) for value in row if value is not None) for row in rows)
    return set(rows[0]), text, export


@pytest.mark.parametrize("format", ["csv", "csv_semicolon", "xlsx", "xlsx_async"])
@pytest.mark.parametrize(("role", "sees"), [("organiser", False), ("secretariat", True)])
def test_special_personal_data_columns_only_for_the_secretariat(
    client, attendees, by_role, django_capture_on_commit_callbacks, format, role, sees
):
    client.force_login(by_role[role])

    headers, text, export = _export_everything(
        client, attendees.event, format, django_capture_on_commit_callbacks
    )

    assert {"Reference", "Organisation", "Country"} <= headers
    assert (headers & SPECIAL_HEADERS) == (SPECIAL_HEADERS if sees else set())
    assert {value for value in SPECIAL_VALUES if value in text} == (
        set(SPECIAL_VALUES) if sees else set()
    )
    # What the log (and so the background task) got: the columns allowed at request time.
    assert (set(export.columns) & SPECIAL_COLUMNS) == (SPECIAL_COLUMNS if sees else set())


@pytest.mark.parametrize(("role", "sees"), [("organiser", False), ("secretariat", True)])
def test_the_export_form_offers_special_columns_only_to_the_secretariat(
    client, attendees, by_role, role, sees
):
    client.force_login(by_role[role])

    page = client.get(f"/en/staff/events/{attendees.event.slug}/export/").content.decode()

    assert 'value="organisation"' in page
    for name in SPECIAL_COLUMNS:
        assert (f'value="{name}"' in page) == sees, name


def test_an_organiser_asking_only_for_special_columns_is_told_to_choose(client, attendees, by_role):
    client.force_login(by_role["organiser"])

    response = client.post(
        f"/en/staff/events/{attendees.event.slug}/export/",
        {"format": "csv", "variant": "full", "columns": ["phone", "dietary_needs"]},
    )

    assert response.status_code == 400
    assert "Choose at least one column." in response.content.decode()
    assert not ExportLog.objects.exists()


def test_the_dashboard_holds_no_special_personal_data_for_an_organiser(client, attendees, by_role):
    # A guard rather than a change: the dashboard shows counts only (visa letters requested,
    # countries of residence), never a passport name, phone or need.
    client.force_login(by_role["organiser"])

    page = client.get(f"/en/staff/events/{attendees.event.slug}/dashboard/").content.decode()

    assert attendees.event.title in page
    assert [value for value in SPECIAL_VALUES if value in page] == []
