"""Every visa request transition: its status, its history row, the delegate's e-mail (in
their language, without passport data) and its letters."""

import datetime

import pytest
from celery import current_app
from django.core.exceptions import ValidationError
from django.utils import timezone

from mail.models import OutgoingEmail
from registrations.services import cancel_registration, reject_registration
from tests.factories import (
    PASSPORT,
    make_category,
    make_event,
    make_forum,
    make_registration,
    make_user,
    make_visa_request,
    visa_trip,
)
from visas import services
from visas.models import PassportDataAccess, VisaLetter, VisaRequest, VisaRequestHistory

pytestmark = pytest.mark.django_db

SECRETARIAT = "astana@minexforum.example"
Status = VisaRequest.Status
Action = VisaRequestHistory.Action


class PublishedTasks:
    """Stands in for the render task in Celery's registry (vletter's task renders a PDF):
    records the ids it is published with."""

    def __init__(self):
        self.ids = []

    def delay(self, letter_id):
        self.ids.append(letter_id)


@pytest.fixture
def render_task(monkeypatch):
    published = PublishedTasks()
    monkeypatch.setitem(current_app.tasks, services.RENDER_LETTER_TASK, published)
    return published


@pytest.fixture
def event():
    return make_event(
        forum=make_forum(code="AST", secretariat_email=SECRETARIAT),
        title_en="MINEX Astana",
        title_ru="МИНЕКС Астана",
        start_date=timezone.localdate() + datetime.timedelta(days=40),
    )


@pytest.fixture
def staff():
    return make_user(is_staff=True)


def registration_for(event, *, language="en", **fields):
    return make_registration(
        make_category(event), visa_letter_needed=True, nationality="GB", language=language, **fields
    )


def request_in(event, capture, **fields):
    with capture(execute=True):
        return make_visa_request(registration_for(event), **fields)


def emails_to(address, kind=None):
    """The visa e-mails (not the registration's) queued for `address`, oldest first."""
    rows = OutgoingEmail.objects.filter(recipient=address, kind__startswith="visas.").order_by("pk")
    return [row for row in rows if kind is None or row.kind == kind]


def history(request):
    return list(
        request.history.order_by("at", "pk").values_list("action", "from_status", "to_status")
    )


def test_request_is_recorded_audited_and_announced(event, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    assert request.status == Status.REQUESTED
    assert request.filing_deadline == request.entry_date - datetime.timedelta(days=14)
    assert not request.too_late
    assert request.number.startswith(request.registration.reference.rsplit("-", 1)[0] + "-V")
    assert history(request) == [(Action.REQUESTED, "", Status.REQUESTED)]
    (delegate_email,) = emails_to(request.registration.email)
    assert delegate_email.kind == "visas.requested"
    assert delegate_email.subject == "Visa invitation letter for MINEX Astana: Requested"
    assert (
        f"/en/my/registrations/{request.registration.reference}/visa/" in delegate_email.body_text
    )
    (secretariat_email,) = emails_to(SECRETARIAT)
    assert secretariat_email.kind == "visas.secretariat.requested"
    assert f"/admin/visas/visarequest/{request.pk}/change/" in secretariat_email.body_text


def test_russian_delegate_gets_the_e_mail_in_russian(event, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request = make_visa_request(registration_for(event, language="ru"))

    (email,) = emails_to(request.registration.email)
    assert email.language == "ru"
    assert "МИНЕКС Астана" in email.subject
    assert email.body_text.startswith("Уважаем")  # the registrations' Russian greeting
    assert "/ru/my/registrations/" in email.body_text


def test_late_request_is_accepted_flagged_and_warned(django_capture_on_commit_callbacks):
    soon = make_event(
        forum=make_forum(secretariat_email=SECRETARIAT),
        start_date=timezone.localdate() + datetime.timedelta(days=10),
    )

    request = request_in(soon, django_capture_on_commit_callbacks)

    assert request.too_late
    (email,) = emails_to(request.registration.email)
    assert "after the filing deadline" in email.body_text
    (notification,) = emails_to(SECRETARIAT)
    assert notification.subject.startswith("[TOO LATE]")


def test_a_second_open_request_is_refused_and_a_closed_one_allows_another(
    event, staff, django_capture_on_commit_callbacks
):
    first = request_in(event, django_capture_on_commit_callbacks)

    with pytest.raises(services.AlreadyRequested) as refused:
        make_visa_request(first.registration)
    assert refused.value.request == first

    services.withdraw_visa_request(first, acting_user=first.registration.delegate)
    second = make_visa_request(first.registration)
    assert second.pk != first.pk
    assert VisaRequest.objects.filter(registration=first.registration).count() == 2


def test_registration_without_the_visa_box_cannot_request(event):
    registration = make_registration(make_category(event))

    with pytest.raises(services.VisaLetterNotNeeded):
        make_visa_request(registration)
    assert not VisaRequest.objects.exists()


def test_bad_details_save_nothing_and_send_nothing(event, django_capture_on_commit_callbacks):
    registration = registration_for(event)
    emails_before = OutgoingEmail.objects.count()

    with (
        pytest.raises(ValidationError) as error,
        django_capture_on_commit_callbacks(execute=True),
    ):
        make_visa_request(registration, surname="Иванов", passport_expires_on=event.end_date)

    assert set(error.value.message_dict) == {"surname", "passport_expires_on"}
    assert not VisaRequest.objects.exists()
    assert OutgoingEmail.objects.count() == emails_before


def test_the_whole_happy_path(event, staff, render_task, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(request, acting_user=staff)
        services.record_petition(request, petition_number=" 2026-AST-000123 ", acting_user=staff)
        letter = services.issue_letter(request, acting_user=staff)

    request.refresh_from_db()
    assert request.status == Status.LETTER_ISSUED
    assert request.petition_number == "2026-AST-000123"
    assert history(request) == [
        (Action.REQUESTED, "", Status.REQUESTED),
        (Action.REVIEW_STARTED, Status.REQUESTED, Status.IN_REVIEW),
        (Action.PETITION_RECORDED, Status.IN_REVIEW, Status.PETITION_FILED),
        (Action.LETTER_ISSUED, Status.PETITION_FILED, Status.LETTER_ISSUED),
    ]
    assert request.history.exclude(action=Action.REQUESTED).filter(actor=staff).count() == 3
    assert letter.status == VisaLetter.Status.TO_RENDER
    assert letter.version == 1
    assert letter.number == f"{request.number}-1"
    assert len(letter.verification_token) >= 40
    assert render_task.ids == [letter.pk]  # published once, after commit, with the id
    kinds = [email.kind for email in emails_to(request.registration.email)]
    assert kinds == [
        "visas.requested",
        "visas.in_review",
        "visas.petition_filed",
        "visas.letter_issued",
    ]
    issued = emails_to(request.registration.email, "visas.letter_issued")[0]
    assert letter.number in issued.body_text
    # The petition number is on the delegate's page, not in an e-mail.
    assert "2026-AST-000123" not in " ".join(e.body_text for e in OutgoingEmail.objects.all())


def test_the_render_task_is_not_published_when_the_transaction_rolls_back(
    event, staff, render_task, django_capture_on_commit_callbacks
):
    request = request_in(event, django_capture_on_commit_callbacks)
    services.record_petition(request, petition_number="P-1", acting_user=staff)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.issue_letter(request, acting_user=staff)

    assert render_task.ids == []  # nothing before commit
    for callback in callbacks:
        callback()
    assert render_task.ids == [VisaLetter.objects.get().pk]


def test_transitions_refuse_the_wrong_status(event, staff, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    with pytest.raises(services.InvalidTransition):
        services.issue_letter(request, acting_user=staff)
    services.start_review(request, acting_user=staff)
    with pytest.raises(services.InvalidTransition):
        services.start_review(request, acting_user=staff)
    with pytest.raises(services.PetitionNumberInvalid):
        services.record_petition(request, petition_number="  ", acting_user=staff)
    with pytest.raises(services.PetitionNumberInvalid):
        services.record_petition(request, petition_number="x" * 51, acting_user=staff)

    request.refresh_from_db()
    assert request.status == Status.IN_REVIEW
    assert len(history(request)) == 2


def test_a_letter_needs_a_confirmed_registration(django_capture_on_commit_callbacks):
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=40))
    category = make_category(event, requires_approval=True)
    registration = make_registration(category, visa_letter_needed=True, nationality="GB")
    request = make_visa_request(registration)
    staff = make_user(is_staff=True)
    services.record_petition(request, petition_number="P-1", acting_user=staff)

    with pytest.raises(services.RegistrationNotConfirmed):
        services.issue_letter(request, acting_user=staff)
    assert not VisaLetter.objects.exists()


def test_refusal_needs_a_reason_voids_the_letter_and_quotes_the_reason(
    event, staff, render_task, django_capture_on_commit_callbacks
):
    request = request_in(event, django_capture_on_commit_callbacks)
    services.record_petition(request, petition_number="P-1", acting_user=staff)
    letter = services.issue_letter(request, acting_user=staff)

    with pytest.raises(services.ReasonRequired):
        services.refuse_visa_request(request, reason=" ", acting_user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        services.refuse_visa_request(
            request, reason="The passport scan does not match.", acting_user=staff
        )

    request.refresh_from_db()
    letter.refresh_from_db()
    assert request.status == Status.REFUSED
    assert letter.status == VisaLetter.Status.VOID
    assert letter.void_reason == services.VOID_REFUSED
    assert request.history.last().reason == "The passport scan does not match."
    (email,) = emails_to(request.registration.email, "visas.refused")
    assert "The passport scan does not match." in email.body_text


def test_delegate_withdraws_and_the_letter_is_void(
    event, staff, render_task, django_capture_on_commit_callbacks
):
    request = request_in(event, django_capture_on_commit_callbacks)
    services.record_petition(request, petition_number="P-1", acting_user=staff)
    letter = services.issue_letter(request, acting_user=staff)
    delegate = request.registration.delegate

    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw_visa_request(request, acting_user=delegate)

    letter.refresh_from_db()
    assert letter.status == VisaLetter.Status.VOID
    assert request.history.last().actor == delegate
    assert emails_to(request.registration.email, "visas.withdrawn")
    with pytest.raises(services.InvalidTransition):
        services.withdraw_visa_request(request, acting_user=delegate)


def test_changed_details_after_issue_void_the_letter_and_issue_a_new_version(
    event, staff, render_task, django_capture_on_commit_callbacks
):
    request = request_in(event, django_capture_on_commit_callbacks)
    services.record_petition(request, petition_number="P-1", acting_user=staff)
    with django_capture_on_commit_callbacks(execute=True):
        first = services.issue_letter(request, acting_user=staff)

    with django_capture_on_commit_callbacks(execute=True):
        services.update_passport_details(
            request,
            acting_user=request.registration.delegate,
            passport_number="XY9876543",
            passport_expires_on=datetime.date(2033, 1, 1),
        )

    first.refresh_from_db()
    second = VisaLetter.objects.exclude(pk=first.pk).get()
    assert first.status == VisaLetter.Status.VOID
    assert first.void_reason == services.VOID_NEW_VERSION
    assert second.version == 2
    assert second.number == f"{request.number}-2"
    assert second.status == VisaLetter.Status.TO_RENDER
    assert VisaRequest.objects.get(pk=request.pk).passport_number == "XY9876543"
    update = request.history.get(action=Action.DETAILS_UPDATED)
    # Which fields changed, never their values.
    assert update.details == {"fields": ["passport_expires_on", "passport_number"]}
    (email,) = emails_to(request.registration.email, "visas.details_updated")
    assert second.number in email.body_text
    assert "XY9876543" not in email.body_text
    assert render_task.ids == [first.pk, second.pk]


def test_unchanged_details_change_nothing(event, staff, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    services.update_passport_details(
        request, acting_user=staff, passport_number=PASSPORT["passport_number"]
    )

    assert len(history(request)) == 1


def test_a_new_entry_date_moves_the_deadline(event, staff, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)
    new_entry = event.start_date - datetime.timedelta(days=3)

    services.update_passport_details(request, acting_user=staff, entry_date=new_entry)

    request.refresh_from_db()
    assert request.filing_deadline == new_entry - datetime.timedelta(days=14)


def test_invalid_update_saves_nothing(event, staff, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    with pytest.raises(ValidationError):
        services.update_passport_details(
            request, acting_user=staff, passport_number="XY9876543", surname="Смит"
        )

    again = VisaRequest.objects.get(pk=request.pk)
    assert again.passport_number == PASSPORT["passport_number"]
    assert again.surname == PASSPORT["surname"]


@pytest.mark.parametrize("how", ["cancelled", "rejected"])
def test_closing_the_registration_withdraws_the_request(
    how, staff, render_task, django_capture_on_commit_callbacks
):
    event = make_event(start_date=timezone.localdate() + datetime.timedelta(days=40))
    category = make_category(event, requires_approval=(how == "rejected"))
    registration = make_registration(category, visa_letter_needed=True, nationality="GB")
    request = make_visa_request(registration)
    letter = None
    if how == "cancelled":
        services.record_petition(request, petition_number="P-1", acting_user=staff)
        letter = services.issue_letter(request, acting_user=staff)

    with django_capture_on_commit_callbacks(execute=True):
        if how == "cancelled":
            cancel_registration(registration, acting_user=registration.delegate)
        else:
            reject_registration(registration, reason="Not eligible.", acting_user=staff)

    request.refresh_from_db()
    assert request.status == Status.WITHDRAWN
    withdrawal = request.history.last()
    assert withdrawal.action == Action.WITHDRAWN
    assert withdrawal.actor == (registration.delegate if how == "cancelled" else staff)
    if letter is not None:
        letter.refresh_from_db()
        assert letter.status == VisaLetter.Status.VOID
    (email,) = emails_to(registration.email, "visas.withdrawn")
    assert "no longer active" in email.body_text


def test_no_passport_data_in_e_mails_or_history(
    event, staff, render_task, django_capture_on_commit_callbacks
):
    request = request_in(event, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.start_review(request, acting_user=staff)
        services.record_petition(request, petition_number="P-1", acting_user=staff)
        services.issue_letter(request, acting_user=staff)
        services.update_passport_details(request, acting_user=staff, place_of_birth="MANCHESTER")

    texts = [
        f"{email.subject} {email.body_text} {email.body_html}"
        for email in OutgoingEmail.objects.all()
    ] + [str(entry.details) for entry in VisaRequestHistory.objects.all()]
    for secret in (
        PASSPORT["passport_number"],
        "MANCHESTER",
        PASSPORT["place_of_birth"],
        "1980-05-17",
    ):
        assert not any(secret in text for text in texts), secret


def test_log_passport_access(event, staff, django_capture_on_commit_callbacks):
    request = request_in(event, django_capture_on_commit_callbacks)

    entry = services.log_passport_access(
        staff, what=PassportDataAccess.What.DOWNLOADED_LETTER, request=request, detail="v1"
    )

    assert entry.user == staff
    assert entry.user_email == staff.email
    assert entry.event == event
    assert entry.what == "downloaded_letter"


def test_unknown_details_are_a_programming_error(event):
    registration = registration_for(event)

    with pytest.raises(TypeError):
        services.request_visa_letter(
            registration, acting_user=None, **PASSPORT, **visa_trip(event), favourite_colour="red"
        )
