"""The public verification page the QR code opens: no login, genuine/valid or void, only the
holder's name, the passport's last digits, the event, the number and the date; nothing cached
or indexed; unknown tokens 404; rate-limited per client address."""

import pytest
from django.test import Client

from tests.factories import PASSPORT
from tests.visas.letters import issue_letter, secretariat_user
from visas import services
from visas.letters.document import verification_url
from visas.models import VisaLetter

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        letter = issue_letter()
    return VisaLetter.objects.get(pk=letter.pk)


def page_path(letter, language="en") -> str:
    return f"/{language}/visas/verify/{letter.verification_token}/"


def open_page(letter, language="en", **headers):
    return Client(**headers).get(page_path(letter, language))


def test_printed_url_leads_to_the_page_in_the_readers_language(letter):
    printed = verification_url(letter).removeprefix("http://127.0.0.1:8000")

    response = Client(headers={"accept-language": "ru"}).get(printed)

    assert printed == f"/visas/verify/{letter.verification_token}/"
    assert response.status_code == 302
    assert response["Location"] == page_path(letter, "ru")
    assert "no-store" in response["Cache-Control"]


def test_page_says_the_letter_is_genuine_and_valid_with_only_what_it_may_show(letter):
    response = open_page(letter)

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-verdict="valid"' in page
    assert "This letter is genuine" in page
    assert "It is valid." in page
    assert "JOHN PAUL SMITH" in page
    assert "…6789" in page
    assert letter.number in page
    assert letter.request.registration.event.title in page
    # Nothing more: not the whole passport number, the birth date, the nationality, the trip.
    assert PASSPORT["passport_number"] not in page
    assert "1980" not in page
    assert PASSPORT["place_of_birth"] not in page
    assert "London" not in page
    assert letter.request.registration.email not in page


def test_page_is_neither_cached_nor_indexed(letter):
    response = open_page(letter)

    assert "no-store" in response["Cache-Control"]
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_page_says_void_once_the_request_is_withdrawn(letter):
    services.withdraw_visa_request(letter.request, acting_user=letter.request.registration.delegate)

    page = open_page(letter).content.decode()

    assert 'data-verdict="void"' in page
    assert "This letter is genuine" in page
    assert "It is void: it was withdrawn on" in page
    assert "It is valid." not in page


def test_page_says_the_old_version_is_void_once_a_new_one_is_issued(
    letter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_passport_details(
            letter.request,
            acting_user=letter.request.registration.delegate,
            passport_number="987654321",
        )
    new = VisaLetter.objects.exclude(pk=letter.pk).get(request=letter.request)

    old_page = open_page(letter).content.decode()
    new_page = open_page(new).content.decode()

    assert "It is void: it was replaced on" in old_page
    assert "(version 2)" in old_page
    # The request now holds the new details, which the old letter did not print.
    assert "…4321" not in old_page
    assert "JOHN PAUL SMITH" not in old_page
    assert 'data-verdict="valid"' in new_page
    assert "…4321" in new_page
    assert new.number in new_page


def test_page_answers_in_russian(letter):
    response = open_page(letter, "ru")

    assert response.status_code == 200
    assert '<html lang="ru">' in response.content.decode()


@pytest.mark.parametrize(
    "token",
    [
        "A" * 43,  # well formed, unknown
        "short",  # malformed: never reaches the database
        "%00" + "A" * 40,
    ],
)
def test_unknown_token_is_a_404(letter, token):
    response = Client().get(f"/en/visas/verify/{token}/")

    assert response.status_code in (400, 404)
    assert letter.number not in response.content.decode()


def test_a_letter_not_yet_rendered_is_unknown(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        letter = issue_letter()

    assert open_page(letter).status_code == 404


def test_the_page_is_rate_limited_per_address(letter, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "visa_letter_verify": (3, 600)}
    client = Client(REMOTE_ADDR="203.0.113.9")
    unknown = "/en/visas/verify/" + "B" * 43 + "/"

    statuses = [client.get(unknown).status_code for _ in range(3)]
    limited = client.get(page_path(letter))
    elsewhere = Client(REMOTE_ADDR="203.0.113.10").get(page_path(letter))

    assert statuses == [404, 404, 404]
    assert limited.status_code == 429
    assert letter.number not in limited.content.decode()
    assert elsewhere.status_code == 200


def test_staff_see_the_same_page_as_anyone(letter):
    client = Client()
    client.force_login(secretariat_user())

    page = client.get(page_path(letter)).content.decode()

    assert PASSPORT["passport_number"] not in page
