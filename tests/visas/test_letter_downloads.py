"""Who may download a letter's PDF: the delegate their own ready letter, the secretariat any
rendered letter of their forums; everyone else gets 403/404. Every download is logged, sent
as an attachment and never cached."""

import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from registrations.roles import ORGANISER, SECRETARIAT
from tests.factories import (
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
    make_visa_request,
)
from tests.registrations.admin.conftest import client_for, make_staff
from tests.visas.letters import issue_letter
from visas import services
from visas.models import PassportDataAccess, VisaLetter

pytestmark = pytest.mark.django_db


@pytest.fixture
def roles(db):
    call_command("setup_roles", stdout=io.StringIO())


@pytest.fixture
def forum():
    return make_forum(name_en="MINEX Central Asia", code="CA")


@pytest.fixture
def letter(forum, django_capture_on_commit_callbacks):
    event = make_event(forum, start_date=timezone.localdate() + datetime.timedelta(days=40))
    registration = make_registration(
        make_category(event), visa_letter_needed=True, nationality="GB"
    )
    with django_capture_on_commit_callbacks(execute=True):
        letter = issue_letter(make_visa_request(registration))
    letter = VisaLetter.objects.get(pk=letter.pk)
    assert letter.status == VisaLetter.Status.READY
    return letter


def delegate_url(letter) -> str:
    return f"/en/my/visa-letters/{letter.pk}/download/"


def staff_url(letter) -> str:
    return f"/en/staff/visa-letters/{letter.pk}/download/"


def assert_pdf_attachment(response, letter):
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="visa-letter-{letter.number}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_delegate_downloads_their_own_letter_and_it_is_logged(letter):
    delegate = letter.request.registration.delegate

    response = client_for(delegate).get(delegate_url(letter))

    assert_pdf_attachment(response, letter)
    access = PassportDataAccess.objects.get()
    assert (access.user, access.what, access.request) == (
        delegate,
        PassportDataAccess.What.DOWNLOADED_LETTER,
        letter.request,
    )
    assert access.event == letter.request.registration.event
    assert letter.number in access.detail


def test_registration_page_links_the_ready_letter(letter):
    registration = letter.request.registration

    page = client_for(registration.delegate).get(f"/en/my/registrations/{registration.reference}/")

    assert delegate_url(letter) in page.content.decode()


def test_another_delegate_gets_a_404_and_nothing_is_logged(letter):
    response = client_for(make_delegate()).get(delegate_url(letter))

    assert response.status_code == 404
    assert not PassportDataAccess.objects.exists()


def test_anonymous_visitor_is_sent_to_log_in(letter):
    response = client_for(None).get(delegate_url(letter))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert client_for(None).get(staff_url(letter)).status_code == 302


def test_a_void_letter_is_not_the_delegates_to_download(letter):
    delegate = letter.request.registration.delegate
    services.withdraw_visa_request(letter.request, acting_user=delegate)

    response = client_for(delegate).get(delegate_url(letter))
    page = client_for(delegate).get(
        f"/en/my/registrations/{letter.request.registration.reference}/"
    )

    assert response.status_code == 404
    assert delegate_url(letter) not in page.content.decode()


def test_a_letter_not_yet_rendered_cannot_be_downloaded(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        letter = issue_letter()

    response = client_for(letter.request.registration.delegate).get(delegate_url(letter))

    assert response.status_code == 404


def test_secretariat_downloads_any_letter_even_a_void_one(roles, letter):
    secretariat = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    services.withdraw_visa_request(letter.request, acting_user=secretariat)

    response = client_for(secretariat).get(staff_url(letter))

    assert_pdf_attachment(response, letter)
    access = PassportDataAccess.objects.get()
    assert (access.user_email, access.what) == (
        "secretariat@minexforum.com",
        PassportDataAccess.What.DOWNLOADED_LETTER,
    )


def test_organiser_without_passport_permission_is_refused(roles, forum, letter):
    organiser = make_staff("organiser@minexforum.com", group=ORGANISER, forums=[forum])

    response = client_for(organiser).get(staff_url(letter))

    assert response.status_code == 403
    assert not PassportDataAccess.objects.exists()


def test_passport_permission_holder_of_another_forum_gets_a_404(roles, letter):
    from django.contrib.auth.models import Permission

    other = make_staff("europe@minexforum.com", forums=[make_forum(name_en="MINEX Europe")])
    other.user_permissions.add(Permission.objects.get(codename="view_passport_data"))

    response = client_for(other).get(staff_url(letter))

    assert response.status_code == 404
    assert not PassportDataAccess.objects.exists()


def test_a_delegate_cannot_use_the_staff_download(letter):
    response = client_for(letter.request.registration.delegate).get(staff_url(letter))

    assert response.status_code == 403


def test_admin_links_the_pdf_only_for_passport_data_holders(roles, forum, letter):
    secretariat = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    organiser = make_staff("organiser@minexforum.com", group=ORGANISER, forums=[forum])
    change = f"/en/admin/visas/visarequest/{letter.request.pk}/change/"

    secretariat_page = client_for(secretariat).get(change).content.decode()
    organiser_page = client_for(organiser).get(change).content.decode()

    assert staff_url(letter) in secretariat_page
    assert staff_url(letter) not in organiser_page


def test_a_missing_file_is_a_404_not_a_500(letter):
    letter.file.storage.delete(letter.file.name)

    response = client_for(letter.request.registration.delegate).get(delegate_url(letter))

    assert response.status_code == 404
    assert not PassportDataAccess.objects.exists()
