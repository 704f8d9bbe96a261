"""The migration-service list: an event's reviewed visa requests as an XLSX in the petition's
layout, for the secretariat only, every download logged."""

import datetime
import io
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from accounts.models import User
from tests.factories import make_user
from visas import services
from visas.models import PassportDataAccess

from .petition_helpers import (
    filed,
    in_review,
    issued,
    make_organiser,
    make_secretariat,
    read_xlsx,
    requested,
    visa_event,
)

pytestmark = pytest.mark.django_db

HEADER = [
    "Request number",
    "Letter number",
    "Surname",
    "Given names",
    "Sex",
    "Date of birth",
    "Citizenship",
    "Passport number",
    "Passport issued on",
    "Passport valid until",
    "Purpose of the visit",
    "Entry date",
    "Exit date",
    "Place of application",
    "Petition number",
]


def download_url(event, language="en"):
    with translation.override(language):
        return reverse("visas_petition:download", args=[event.pk])


def as_dicts(rows):
    header, *body = rows
    return [dict(zip(header, row, strict=True)) for row in body]


@pytest.fixture
def listed(settings, tmp_path):
    """One event with a request in each status, and another event's request."""
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    event, category = visa_event(title_en="MINEX Central Asia 2026", city_en="Astana")
    secretariat = make_secretariat()
    review = in_review(
        category, by=secretariat, surname="ZHANG", given_names="WEI", sex="F",
        nationality="CN", passport_number="E12345678",
    )  # fmt: skip
    petition = filed(category, by=secretariat, surname="ABBOTT", given_names="CARL",
                     petition_number="KZ-2026-000777")  # fmt: skip
    letter_request, letter = issued(category, by=secretariat, surname="MILLER",
                                    given_names="ANNA MARIA", application_kind="e_visa",
                                    consulate_city="")  # fmt: skip
    not_reviewed = requested(category, surname="NOTYET")
    refused = in_review(category, by=secretariat, surname="REFUSED")
    services.refuse_visa_request(refused, reason="Incomplete", acting_user=secretariat)
    withdrawn = requested(category, surname="WITHDRAWN")
    services.withdraw_visa_request(withdrawn, acting_user=None)
    _other_event, other_category = visa_event()
    in_review(other_category, by=secretariat, surname="ELSEWHERE")
    return {
        "event": event,
        "secretariat": secretariat,
        "review": review,
        "petition": petition,
        "letter_request": letter_request,
        "letter": letter,
        "not_reviewed": not_reviewed,
    }


def test_petition_list_has_one_row_per_reviewed_person_in_the_petition_layout(client, listed):
    client.force_login(listed["secretariat"])

    response = client.get(download_url(listed["event"]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response["Content-Disposition"]
    rows = read_xlsx(b"".join(response.streaming_content))
    assert rows[0] == HEADER
    people = as_dicts(rows)
    # In review, petition filed and letter issued, by surname; not the unreviewed, refused or
    # withdrawn requests, nor another event's.
    assert [person["Surname"] for person in people] == ["ABBOTT", "MILLER", "ZHANG"]
    zhang = people[2]
    assert zhang == {
        "Request number": listed["review"].number,
        "Letter number": None,
        "Surname": "ZHANG",
        "Given names": "WEI",
        "Sex": "Female",
        "Date of birth": datetime.datetime(1980, 5, 17),
        "Citizenship": "China",
        "Passport number": "E12345678",
        "Passport issued on": datetime.datetime(2022, 3, 1),
        "Passport valid until": datetime.datetime(2032, 3, 1),
        "Purpose of the visit": "Business: participation in MINEX Central Asia 2026, Astana",
        "Entry date": datetime.datetime.combine(listed["review"].entry_date, datetime.time()),
        "Exit date": datetime.datetime.combine(listed["review"].exit_date, datetime.time()),
        "Place of application": "London",
        "Petition number": None,
    }
    assert people[0]["Petition number"] == "KZ-2026-000777"
    assert people[1]["Letter number"] == listed["letter"].number
    assert people[1]["Place of application"] == "E-visa"
    assert people[1]["Given names"] == "ANNA MARIA"


def test_petition_list_in_russian_and_kazakh_keeps_cyrillic_and_kazakh_letters(client, listed):
    event = listed["event"]
    event.title_ru = "МИНЕКС Центральная Азия 2026"
    event.title_kk = "МИНЕКС Орталық Азия 2026"
    event.city_kk = "Астана"
    event.save()
    client.force_login(listed["secretariat"])

    russian = as_dicts(read_xlsx(b"".join(client.get(download_url(event, "ru")).streaming_content)))
    kazakh = as_dicts(read_xlsx(b"".join(client.get(download_url(event, "kk")).streaming_content)))

    # Headers are the translated labels (English until the catalogues have them); countries
    # and the purpose come out in the list's language, letters intact.
    purpose_ru = next(value for key, value in russian[0].items() if "МИНЕКС" in str(value))
    assert "МИНЕКС Центральная Азия 2026" in purpose_ru
    purpose_kk = next(value for key, value in kazakh[0].items() if "МИНЕКС" in str(value))
    assert "МИНЕКС Орталық Азия 2026" in purpose_kk
    assert "Китай" in russian[2].values()
    assert "ZHANG" in russian[2].values()


def test_petition_list_writes_a_formula_as_plain_text(client, listed):
    """A petition number is typed (or uploaded) by staff, free text: one that is a formula
    stays text, and so does the event's title in the purpose."""
    event = listed["event"]
    event.title_en = '=HYPERLINK("http://evil.example","x")'
    event.save()
    formula = '=HYPERLINK("http://evil.example","y")'
    services.record_petition(
        listed["petition"], petition_number=formula, acting_user=listed["secretariat"]
    )
    client.force_login(listed["secretariat"])

    content = b"".join(client.get(download_url(event)).streaming_content)

    sheet = load_workbook(io.BytesIO(content)).active
    abbott = sheet.cell(row=2, column=HEADER.index("Petition number") + 1)
    assert abbott.data_type == "s"
    assert abbott.value == formula
    purpose = sheet.cell(row=2, column=HEADER.index("Purpose of the visit") + 1)
    assert purpose.data_type == "s"
    assert purpose.value.startswith('Business: participation in =HYPERLINK("http://evil')
    # No cell of the workbook is a formula.
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert b"<f>" not in archive.read("xl/worksheets/sheet1.xml")


def test_petition_list_has_a_frozen_header_an_autofilter_and_widths(client, listed):
    client.force_login(listed["secretariat"])

    content = b"".join(client.get(download_url(listed["event"])).streaming_content)

    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.auto_filter.ref == "A1:O4"
    assert sheet.freeze_panes == "A2"
    assert sheet["A1"].font.bold
    for index, header in enumerate(HEADER):
        letter = chr(ord("A") + index)
        assert sheet.column_dimensions[letter].width >= len(header) + 3


def test_petition_list_download_is_logged(client, listed):
    secretariat = listed["secretariat"]
    client.force_login(secretariat)

    client.get(download_url(listed["event"]))

    access = PassportDataAccess.objects.get()
    assert access.user == secretariat
    assert access.user_email == secretariat.email
    assert access.event == listed["event"]
    assert access.what == PassportDataAccess.What.DOWNLOADED_PETITION_LIST
    assert access.detail == "3 people"


def test_petition_pages_refuse_organisers_and_other_forums(client, listed):
    event = listed["event"]
    urls = [
        download_url(event),
        reverse("visas_petition:event", args=[event.pk]),
    ]
    organiser = make_organiser(forums=[event.forum])
    other_forum_secretariat = make_secretariat(forums=[visa_event()[0].forum], all_forums=False)
    delegate = make_user()

    client.force_login(organiser)
    assert [client.get(url).status_code for url in urls] == [403, 403]
    assert client.get(reverse("visas_petition:index")).status_code == 403
    client.force_login(other_forum_secretariat)
    assert [client.get(url).status_code for url in urls] == [404, 404]
    client.force_login(delegate)  # not staff: the admin's login page
    assert all(client.get(url).status_code == 302 for url in urls)
    client.logout()
    response = client.get(urls[0])
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert not PassportDataAccess.objects.exists()


def test_petition_list_for_a_secretariat_of_that_forum_and_a_superuser(client, listed):
    event = listed["event"]
    own_forum = make_secretariat(forums=[event.forum], all_forums=False)
    superuser = User.objects.create_superuser("root@example.com", "a-long-test-password")

    for user in (own_forum, superuser):
        client.force_login(user)
        assert client.get(download_url(event)).status_code == 200
    assert PassportDataAccess.objects.count() == 2


def test_petition_list_by_the_real_roles(client, listed):
    """setup_roles: the Secretariat holds visas.view_passport_data, the Organiser does not."""
    from django.contrib.auth.models import Group

    call_command("setup_roles", stdout=io.StringIO())
    event = listed["event"]
    secretariat = make_user(is_staff=True)
    secretariat.groups.add(Group.objects.get(name="Secretariat"))
    organiser = make_user(is_staff=True)
    organiser.groups.add(Group.objects.get(name="Organiser"))
    event.forum.organisers.add(organiser)

    client.force_login(secretariat)
    assert client.get(download_url(event)).status_code == 200
    client.force_login(organiser)
    assert client.get(download_url(event)).status_code == 403


def test_petition_index_lists_the_users_events_with_counts(client, listed):
    event = listed["event"]
    own_forum = make_secretariat(forums=[event.forum], all_forums=False)
    client.force_login(own_forum)

    response = client.get(reverse("visas_petition:index"))

    assert response.status_code == 200
    rows = {row.pk: (row.listed, row.to_file) for row in response.context["events"]}
    # Only the events of their forum: three on the list, two waiting (in review, requested).
    assert rows == {event.pk: (3, 2)}
    assert reverse("visas_petition:event", args=[event.pk]) in response.content.decode()


def test_visa_request_changelist_links_to_the_lists_for_the_secretariat_only(client, listed):
    changelist = reverse("admin:visas_visarequest_changelist")
    index = reverse("visas_petition:index")

    client.force_login(listed["secretariat"])
    assert index in client.get(changelist).content.decode()
    client.force_login(make_organiser(forums=[listed["event"].forum]))
    page = client.get(changelist)
    assert page.status_code == 200
    assert index not in page.content.decode()


def test_petition_index_query_count_does_not_grow_with_events(client):
    secretariat = make_secretariat()
    client.force_login(secretariat)
    url = reverse("visas_petition:index")

    def queries_for_page():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    visa_event()
    one = queries_for_page()
    visa_event()
    visa_event()
    three = queries_for_page()

    assert three == one
