"""Uploading the petition numbers back: a report (to record, already recorded, conflicting,
unmatched), applied on confirmation through record_petition, all or none; bad files refused
with a message and nothing applied."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mail.models import OutgoingEmail
from visas import services
from visas.models import VisaRequest, VisaRequestHistory

from .petition_helpers import (
    filed,
    in_review,
    issued,
    make_organiser,
    make_secretariat,
    read_xlsx,
    requested,
    visa_event,
    xlsx_bytes,
)

pytestmark = pytest.mark.django_db

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def upload_case(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"
    event, category = visa_event()
    secretariat = make_secretariat()
    return {
        "event": event,
        "secretariat": secretariat,
        "review": in_review(category, by=secretariat, surname="ZHANG"),
        "second": in_review(category, by=secretariat, surname="YANG"),
        "filed": filed(category, by=secretariat, surname="ABBOTT", petition_number="P-1"),
        "withdrawn": services.withdraw_visa_request(
            in_review(category, by=secretariat, surname="GONE"), acting_user=None
        ),
        "other_event": in_review(visa_event()[1], by=secretariat, surname="ELSEWHERE"),
    }


def event_url(event):
    return reverse("visas_petition:event", args=[event.pk])


def csv_file(text: str, name="petitions.csv", encoding="utf-8-sig"):
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def post_file(client, event, uploaded):
    return client.post(event_url(event), {"file": uploaded})


def outcomes(response) -> dict[str, list[str]]:
    report = response.context["report"]
    return {
        "to_record": [row.key for row in report.to_record],
        "already_recorded": [row.key for row in report.already_recorded],
        "conflicts": [row.key for row in report.conflicts],
        "unmatched": [row.key for row in report.unmatched],
        "skipped": [row.key for row in report.skipped],
    }


def confirm(client, event, response):
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    return client.post(reverse("visas_petition:apply", args=[event.pk]), {"token": token})


def test_upload_reports_each_row_and_records_on_confirmation(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    text = (
        "Request number;Petition number\r\n"
        f"{c['review'].number};P-100\r\n"  # to record
        f"{c['filed'].number};P-1\r\n"  # the same number: no-op
        f"{c['withdrawn'].number};P-101\r\n"  # withdrawn: conflict
        f"{c['other_event'].number};P-102\r\n"  # another event's: unmatched
        "MX99-XXX-V99999;P-103\r\n"  # unknown: unmatched
        f"{c['second'].number};\r\n"  # not filed yet: skipped
    )

    response = post_file(client, c["event"], csv_file(text))

    assert response.status_code == 200
    assert outcomes(response) == {
        "to_record": [c["review"].number],
        "already_recorded": [c["filed"].number],
        "conflicts": [c["withdrawn"].number],
        "unmatched": [c["other_event"].number, "MX99-XXX-V99999"],
        "skipped": [c["second"].number],
    }
    page = response.content.decode()
    assert "The request is withdrawn." in page
    # Nothing is recorded before confirmation.
    c["review"].refresh_from_db()
    assert c["review"].status == VisaRequest.Status.IN_REVIEW

    applied = confirm(client, c["event"], response)

    assert applied.status_code == 302
    c["review"].refresh_from_db()
    assert c["review"].status == VisaRequest.Status.PETITION_FILED
    assert c["review"].petition_number == "P-100"
    history = c["review"].history.get(action=VisaRequestHistory.Action.PETITION_RECORDED)
    assert history.actor == c["secretariat"]
    # The delegate is told (the outbox), once.
    assert (
        OutgoingEmail.objects.filter(
            recipient=c["review"].registration.email, kind__contains="petition"
        ).count()
        == 1
    )
    for untouched in ("filed", "withdrawn", "other_event", "second"):
        before = c[untouched]
        before.refresh_from_db()
        assert before.petition_number in ("", "P-1")
    followed = client.get(applied["Location"])
    assert "Recorded 1 petition number." in followed.content.decode()


def test_upload_of_the_downloaded_list_filled_in_is_matched_by_its_numbers(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    download = client.get(reverse("visas_petition:download", args=[c["event"].pk]))
    rows = read_xlsx(b"".join(download.streaming_content))
    petition_column = rows[0].index("Petition number")
    for row in rows[1:]:
        if row[petition_column] is None:
            row[petition_column] = 4711  # a number typed into Excel: an integer cell
    uploaded = SimpleUploadedFile("list.xlsx", xlsx_bytes(rows), content_type=XLSX_TYPE)

    response = post_file(client, c["event"], uploaded)

    assert response.status_code == 200
    assert sorted(outcomes(response)["to_record"]) == sorted(
        [c["review"].number, c["second"].number]
    )
    assert outcomes(response)["already_recorded"] == [c["filed"].number]
    confirm(client, c["event"], response)
    assert set(
        VisaRequest.objects.filter(pk__in=[c["review"].pk, c["second"].pk]).values_list(
            "petition_number", flat=True
        )
    ) == {"4711"}


def test_upload_matches_a_letter_number(client, upload_case, settings):
    c = upload_case
    request, letter = issued(
        c["review"].registration.category, by=c["secretariat"], surname="LETTER",
        petition_number="P-9",
    )  # fmt: skip
    client.force_login(c["secretariat"])

    response = post_file(
        client, c["event"], csv_file(f"Letter number,Petition number\n{letter.number},P-9\n")
    )

    assert outcomes(response)["already_recorded"] == [letter.number]
    conflicting = post_file(
        client, c["event"], csv_file(f"Letter number,Petition number\n{letter.number},P-10\n")
    )
    assert outcomes(conflicting)["conflicts"] == [letter.number]
    assert "Petition number P-9 is already recorded" in conflicting.content.decode()


def test_upload_applied_twice_changes_nothing_the_second_time(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    text = f"Request number,Petition number\n{c['review'].number},P-200\n"
    first = post_file(client, c["event"], csv_file(text))
    confirm(client, c["event"], first)
    emails = OutgoingEmail.objects.count()
    history = VisaRequestHistory.objects.count()

    again = post_file(client, c["event"], csv_file(text))
    replayed = confirm(client, c["event"], first)  # the old confirmation, posted again

    assert outcomes(again)["already_recorded"] == [c["review"].number]
    assert 'name="token"' not in again.content.decode()  # nothing to record: no button
    assert replayed.status_code == 409
    assert OutgoingEmail.objects.count() == emails
    assert VisaRequestHistory.objects.count() == history


def test_upload_gives_one_request_two_numbers_is_a_conflict(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    text = (
        "Request number,Petition number\n"
        f"{c['review'].number},P-1\n"
        f"{c['review'].number},P-2\n"
        f"{c['second'].number},P-3\n"
        f"{c['second'].number},P-3\n"
    )

    response = post_file(client, c["event"], csv_file(text))

    assert outcomes(response)["conflicts"] == [c["review"].number, c["review"].number]
    assert outcomes(response)["to_record"] == [c["second"].number]
    assert outcomes(response)["already_recorded"] == [c["second"].number]


def test_upload_changed_since_the_report_applies_nothing(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    text = (
        f"Request number,Petition number\n{c['review'].number},P-300\n{c['second'].number},P-301\n"
    )
    response = post_file(client, c["event"], csv_file(text))
    # Meanwhile someone withdraws the second request.
    services.withdraw_visa_request(c["second"], acting_user=None)

    applied = confirm(client, c["event"], response)

    assert applied.status_code == 409
    assert "nothing was recorded" in applied.content.decode()
    c["review"].refresh_from_db()
    assert c["review"].status == VisaRequest.Status.IN_REVIEW
    assert c["review"].petition_number == ""


def test_upload_confirmation_cannot_be_tampered_with(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])
    response = post_file(
        client, c["event"], csv_file(f"Request number,Petition number\n{c['review'].number},P-1\n")
    )
    token = re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)
    apply_url = reverse("visas_petition:apply", args=[c["event"].pk])

    tampered = client.post(apply_url, {"token": token[:-2] + "xx"})
    other_user = make_secretariat()
    client.force_login(other_user)
    someone_elses = client.post(apply_url, {"token": token})

    assert tampered.status_code == 400
    assert someone_elses.status_code == 400
    assert "not valid" in tampered.content.decode()
    c["review"].refresh_from_db()
    assert c["review"].status == VisaRequest.Status.IN_REVIEW


@pytest.mark.parametrize(
    ("uploaded", "message"),
    [
        (lambda c: csv_file("", encoding="utf-8"), "The file is empty."),
        (lambda c: csv_file("\r\n  \r\n,,\r\n", encoding="utf-8"), "The file is empty."),
        (lambda c: csv_file("Request number,Petition number\n"), "no rows below its header"),
        (
            lambda c: csv_file(f"Reference,Number\n{c['review'].number},P-1\n"),
            "must name a “Petition number” column",
        ),
        (
            lambda c: SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"),
            "neither a CSV nor an XLSX",
        ),
        (
            lambda c: SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage", content_type=XLSX_TYPE),
            "This XLSX file cannot be read",
        ),
        (
            lambda c: SimpleUploadedFile("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 64),
            "old Excel file (.xls)",
        ),
        (
            lambda c: csv_file(
                "Request number,Petition number\n"
                f"{c['review'].number},P-1\n"
                ",P-2\n"
                f"{c['second'].number},{'9' * 51}\n"
            ),
            "Row 3: a petition number without a request or letter number.",
        ),
        (
            lambda c: csv_file(
                f"Request number,Petition number\n{c['second'].number},{'9' * 51}\n"
            ),
            "Row 2: the petition number must be one line of at most 50 characters.",
        ),
    ],
    ids=[
        "empty",
        "blank-lines",
        "header-only",
        "wrong-columns",
        "binary",
        "broken-xlsx",
        "old-xls",
        "row-without-key",
        "number-too-long",
    ],
)
def test_upload_bad_input_is_refused_with_a_message(client, upload_case, uploaded, message):
    c = upload_case
    client.force_login(c["secretariat"])

    response = post_file(client, c["event"], uploaded(c))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert response.context["report"] is None
    assert (
        not VisaRequest.objects.filter(petition_number__startswith="P-1")
        .exclude(pk=c["filed"].pk)
        .exists()
    )
    assert (
        not VisaRequestHistory.objects.filter(action=VisaRequestHistory.Action.PETITION_RECORDED)
        .exclude(request=c["filed"])
        .exists()
    )


def test_upload_too_large_is_refused(client, upload_case, settings):
    c = upload_case
    settings.VISA_PETITION_UPLOAD_MAX_BYTES = 100
    client.force_login(c["secretariat"])
    text = "Request number,Petition number\n" + f"{c['review'].number},P-1\n" * 10

    response = post_file(client, c["event"], csv_file(text))

    assert response.status_code == 400
    assert "The file is larger than 100 B." in response.content.decode()


def test_upload_with_too_many_rows_is_refused(client, upload_case, settings):
    c = upload_case
    settings.VISA_PETITION_UPLOAD_MAX_ROWS = 2
    client.force_login(c["secretariat"])
    text = "Request number,Petition number\n" + "MX-V1,P-1\n" * 3

    response = post_file(client, c["event"], csv_file(text))

    assert response.status_code == 400
    assert "more than 2 rows" in response.content.decode()


def test_upload_without_a_file_is_a_400(client, upload_case):
    c = upload_case
    client.force_login(c["secretariat"])

    response = client.post(event_url(c["event"]), {})

    assert response.status_code == 400
    assert "Choose the file to upload." in response.content.decode()


def test_upload_reads_a_windows_1251_csv(client, upload_case):
    """Russian Excel saves "CSV" in Windows-1251, with semicolons."""
    c = upload_case
    client.force_login(c["secretariat"])
    text = f"Request number;Petition number;Фамилия\r\n{c['review'].number};П-1;Чжан\r\n"

    response = post_file(client, c["event"], csv_file(text, encoding="cp1251"))

    assert response.status_code == 200
    assert outcomes(response)["to_record"] == [c["review"].number]
    assert response.context["report"].to_record[0].row.petition_number == "П-1"


def test_upload_needs_the_change_permission_and_the_forum(client, upload_case):
    c = upload_case
    text = f"Request number,Petition number\n{c['review'].number},P-1\n"
    read_only = make_secretariat(upload=False)
    organiser = make_organiser(forums=[c["event"].forum])
    other_forum = make_secretariat(forums=[visa_event()[0].forum], all_forums=False)
    apply_url = reverse("visas_petition:apply", args=[c["event"].pk])

    client.force_login(read_only)
    assert post_file(client, c["event"], csv_file(text)).status_code == 403
    assert "Upload the petition numbers" not in client.get(event_url(c["event"])).content.decode()
    assert client.post(apply_url, {"token": "x"}).status_code == 403
    client.force_login(organiser)
    assert post_file(client, c["event"], csv_file(text)).status_code == 403
    client.force_login(other_forum)
    assert post_file(client, c["event"], csv_file(text)).status_code == 404
    assert client.post(apply_url, {"token": "x"}).status_code == 404
    c["review"].refresh_from_db()
    assert c["review"].status == VisaRequest.Status.IN_REVIEW


def test_upload_of_a_requested_only_request_records_it(client, upload_case):
    """record_petition accepts a request not yet in review: the secretariat filed it."""
    c = upload_case
    fresh = requested(c["review"].registration.category, surname="FRESH")
    client.force_login(c["secretariat"])

    response = post_file(
        client, c["event"], csv_file(f"request,petition_number\n{fresh.number},P-7\n")
    )
    confirm(client, c["event"], response)

    fresh.refresh_from_db()
    assert fresh.status == VisaRequest.Status.PETITION_FILED


def test_upload_above_the_default_limit_is_refused(client, upload_case):
    """2 MB by default. (Django has spooled the body to a temporary file by then: the
    reverse proxy's body limit is what keeps far larger requests out.)"""
    c = upload_case
    client.force_login(c["secretariat"])
    big = SimpleUploadedFile("big.csv", b"Request number,Petition number\n" + b"x" * 3_000_000)

    response = post_file(client, c["event"], big)

    assert response.status_code == 400
    assert "The file is larger than 2 MB." in response.content.decode()


def test_upload_of_an_xlsx_that_unpacks_to_too_much_is_refused(client, upload_case, monkeypatch):
    from visas.petition import reading

    c = upload_case
    client.force_login(c["secretariat"])
    content = xlsx_bytes([["Request number", "Petition number"], [c["review"].number, "P-1"]])
    monkeypatch.setattr(reading, "MAX_UNPACKED_BYTES", 1000)

    response = post_file(
        client, c["event"], SimpleUploadedFile("x.xlsx", content, content_type=XLSX_TYPE)
    )

    assert response.status_code == 400
    assert "This XLSX file cannot be read" in response.content.decode()


def test_match_rows_makes_the_same_queries_for_one_and_three_rows(
    upload_case, django_assert_num_queries
):
    from visas.petition.matching import match_rows
    from visas.petition.reading import UploadedRow

    c = upload_case
    numbers = [c["review"].number, c["second"].number, c["filed"].number]
    rows = [
        UploadedRow(index + 2, number, "", f"P-{index}") for index, number in enumerate(numbers)
    ]

    with django_assert_num_queries(2):
        one = match_rows(c["event"], rows[:1])
    with django_assert_num_queries(2):
        three = match_rows(c["event"], rows)

    assert len(one.rows) == 1
    assert [row.request.registration.reference for row in three.rows] == [
        c[name].registration.reference for name in ("review", "second", "filed")
    ]
