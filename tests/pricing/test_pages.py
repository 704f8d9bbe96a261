"""Codes on the delegate's pages: the invitation link, the form's code field and its
refusals, the price lines on the thank-you page, the registration page and the e-mail."""

import re
from decimal import Decimal

import pytest

from accounts.models import DelegateProfile
from mail.models import OutgoingEmail
from mail.services import render_pending_emails
from pricing.models import CodeUse
from registrations.models import Registration
from tests.factories import make_category, make_delegate, make_event, registration_form_data
from tests.pricing.factories import make_code, make_free_code

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def delegate_client(client):
    delegate = make_delegate()
    client.force_login(delegate)
    client.delegate = delegate
    return client


@pytest.fixture
def event():
    event = make_event()
    make_category(event, name_en="Delegate", price=Decimal("500"))
    make_category(event, name_en="Ministerial", price=Decimal("500"), invite_only=True)
    return event


def _category(event, name):
    return event.categories.get(name_en=name)


def test_invite_only_categories_are_hidden_on_the_public_form(delegate_client, event):
    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/"))

    assert "Delegate" in page
    assert "Ministerial" not in page
    assert "Invitation or discount code" in page


def test_an_invitation_link_reveals_its_categories_and_fills_in_the_code(delegate_client, event):
    make_free_code(event, categories=[_category(event, "Ministerial")])

    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/?code=gov-2026"))

    assert "Ministerial" in page
    assert 'name="code-code" value="GOV-2026"' in page


def test_registering_with_the_code_shows_the_price_lines(delegate_client, event):
    government = _category(event, "Ministerial")
    make_free_code(event, categories=[government])
    data = registration_form_data(government, **{"code-code": "GOV-2026"})

    response = delegate_client.post(f"/en/events/{event.slug}/register/", data, follow=True)

    registration = Registration.objects.get(delegate=delegate_client.delegate)
    assert registration.price == Decimal("0.00")
    page = _text(response)
    assert "Code GOV-2026: free place" in page
    assert re.search(r"data-price-total><strong>€0.00</strong>", page)
    detail = _text(delegate_client.get(f"/en/my/registrations/{registration.reference}/"))
    assert "Your price" in detail and "Code GOV-2026: free place" in detail


def test_the_confirmation_email_lists_the_price_lines(delegate_client, event):
    public = _category(event, "Delegate")
    make_code(event, "PARTNER25", discount_value=Decimal("25"))
    data = registration_form_data(public, **{"code-code": "partner25"})

    delegate_client.post(f"/en/events/{event.slug}/register/", data)

    email = OutgoingEmail.objects.get(kind="registration.confirmed")
    render_pending_emails([email.pk])
    email.refresh_from_db()
    assert "Code PARTNER25 (−25%): -€125.00" in email.body_text
    assert "Fee: €375.00" in email.body_text
    assert "Code PARTNER25 (−25%)" in email.body_html


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("NOPE-1", "We do not know this code. Please check it for typing errors."),
        ("USED", "This code has already been used as many times as it allows."),
        ("ELSEWHERE", "This code is for another forum and cannot be used here."),
        ("bad code!", "A code has 3 to 40 characters"),
    ],
)
def test_a_bad_code_is_refused_with_its_message_and_nothing_saved(
    delegate_client, event, code, message
):
    public = _category(event, "Delegate")
    used = make_code(event, "USED", usage_limit=1)
    CodeUse.objects.create(code=used, registration=_someone_registered(public))
    make_code(make_event(), "ELSEWHERE")
    profile_before = DelegateProfile.objects.get(user=delegate_client.delegate)
    data = registration_form_data(public, job_title="New job", **{"code-code": code})

    response = delegate_client.post(f"/en/events/{event.slug}/register/", data)

    assert response.status_code in (400, 409)
    assert message in _text(response).replace("&#x27;", "'")
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()
    profile = DelegateProfile.objects.get(user=delegate_client.delegate)
    assert profile.job_title == profile_before.job_title


def test_an_invite_only_category_posted_without_a_code_is_not_available(delegate_client, event):
    government = _category(event, "Ministerial")

    response = delegate_client.post(
        f"/en/events/{event.slug}/register/", registration_form_data(government)
    )

    assert response.status_code == 400
    assert "This category is not available; please choose another." in _text(response)
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()


def _someone_registered(category):
    from tests.factories import make_registration

    return make_registration(category)


def test_the_code_field_is_shown_before_a_category_is_chosen(delegate_client, event):
    page = _text(delegate_client.get(f"/en/events/{event.slug}/register/"))

    # The page's script hides only sections tied to categories (data-categories).
    assert re.search(r'<fieldset class="form-section" data-form-section="code">', page)


def test_a_code_entered_on_the_form_opens_its_category_when_sent(delegate_client, event):
    make_free_code(event, categories=[_category(event, "Ministerial")])
    data = registration_form_data(_category(event, "Delegate"), **{"code-code": "GOV-2026"})
    data.pop("category")

    response = delegate_client.post(f"/en/events/{event.slug}/register/", data)

    assert response.status_code == 400
    assert "Ministerial" in _text(response)
    assert not Registration.objects.filter(delegate=delegate_client.delegate).exists()


# A registration with a code, over the plain one (tests/registrations/test_register_queries):
# the form's unlocked categories; the gate's check (the code, its categories, its live uses);
# the receiver's lock of the code row, its categories and live uses again, the use; the
# lines, the pricing row and the price's UPDATE: 1 + 3 + 4 + 3.
MAX_EXTRA_QUERIES_WITH_A_CODE = 11


def test_a_registration_with_a_code_costs_a_bounded_number_of_queries(delegate_client, event):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    public = _category(event, "Delegate")
    make_code(event, "PARTNER25", discount_value=Decimal("25"), usage_limit=10)
    other = make_delegate()
    url = f"/en/events/{event.slug}/register/"
    delegate_client.post(url, registration_form_data(public))  # warms the caches
    delegate_client.force_login(make_delegate())

    with CaptureQueriesContext(connection) as plain:
        delegate_client.post(url, registration_form_data(public))
    delegate_client.force_login(other)
    with CaptureQueriesContext(connection) as with_code:
        delegate_client.post(url, registration_form_data(public, **{"code-code": "PARTNER25"}))

    assert Registration.objects.get(delegate=other).price == Decimal("375.00")
    extra = len(with_code) - len(plain)
    assert extra <= MAX_EXTRA_QUERIES_WITH_A_CODE, "\n".join(
        query["sql"][:90] for query in (*plain.captured_queries, *with_code.captured_queries)
    )
