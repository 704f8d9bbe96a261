"""A delegate's data rights from "My profile": the readable copy, the JSON download, and the
account's deletion reaching every app's personal data."""

import json

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.models import DelegateProfile, NewsConsentChange, ProfileHistory, User
from accounts.services import set_news_consent
from badges.models import Badge
from badges.selectors import badge_for_token
from badges.tokens import BadToken, badge_token
from billing.models import BillingDetails, Invoice
from mail.models import OutgoingEmail, UndeliverableAddress
from minex.personal_data import PersonalDataSource, register_source
from privacy import services
from privacy.models import AccountDeletion
from registrations.models import Registration
from tests.billing.factories import invoice_of, make_paid_registration
from tests.factories import TEST_PASSWORD, make_category, make_registration, make_visa_request
from visas.models import VisaRequest

pytestmark = pytest.mark.django_db

BILLING = {
    "invoice_to": "organisation",
    "organisation": "Steppe Minerals LLP",
    "address": "12 Abay Avenue, Astana",
    "country": "KZ",
    "vat_number": "",
}


def _delegate_with_everything(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration = make_paid_registration(billing=BILLING)
        delegate = registration.delegate
        Registration.objects.filter(pk=registration.pk).update(dietary_needs="Vegetarian")
        visa_registration = make_registration(
            make_category(), delegate=delegate, visa_letter_needed=True, nationality="GB"
        )
        make_visa_request(visa_registration)
    return delegate, registration, visa_registration


def test_my_data_page_and_download_hold_every_apps_data_and_no_one_elses(
    client, django_capture_on_commit_callbacks
):
    delegate, registration, visa_registration = _delegate_with_everything(
        django_capture_on_commit_callbacks
    )
    other = make_registration()
    set_news_consent(delegate, True, source=NewsConsentChange.Source.PROFILE_PAGE)
    UndeliverableAddress.objects.create(address=delegate.email, smtp_code=550, reason="No mailbox")
    client.force_login(delegate)

    profile_page = client.get(reverse("my_profile"))
    assert reverse("my_data") in profile_page.text
    assert reverse("delete_account") in profile_page.text

    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    for text in (
        delegate.email,
        "Nurlanova",
        registration.reference,
        "Vegetarian",
        "12 Abay Avenue, Astana",
        invoice_of(registration).number,
        "Passport",
    ):
        assert text in page.text, text
    assert other.reference not in page.text
    assert "tax law requires" in page.text  # what deletion keeps, said on the page

    download = client.get(reverse("my_data_download"))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith('attachment; filename="minex-my-data-')
    data = json.loads(download.content)["sources"]
    assert set(data) >= {
        "account",
        "registrations",
        "mail",
        "visas",
        "billing",
        "badges",
        "exports",
    }
    assert data["account"]["profile"]["last_name"] == "Nurlanova"
    assert {r["reference"] for r in data["registrations"]} == {
        registration.reference,
        visa_registration.reference,
    }
    assert data["visas"][0]["passport_number"]
    assert data["billing"]["invoices"][0]["buyer_organisation"] == "Steppe Minerals LLP"
    assert data["mail"]["emails"], "the e-mails sent to the delegate are part of the copy"
    assert data["account"]["news_consent_history"][0]["consented"] is True
    assert data["mail"]["undeliverable_address"][0]["smtp_code"] == 550
    assert other.reference not in download.content.decode()


def test_my_data_needs_a_login(client):
    response = client.get(reverse("my_data_download"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_deleting_the_account_anonymises_everything_and_keeps_what_the_law_requires(
    client, django_capture_on_commit_callbacks
):
    delegate, registration, visa_registration = _delegate_with_everything(
        django_capture_on_commit_callbacks
    )
    email = delegate.email
    invoice = invoice_of(registration)
    assert invoice.status == Invoice.Status.ISSUED
    token = badge_token(Badge.objects.get(registration=registration))
    set_news_consent(delegate, True, source=NewsConsentChange.Source.PROFILE_PAGE)
    UndeliverableAddress.objects.create(address=email, smtp_code=550)
    client.force_login(delegate)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("delete_account"), {"password": TEST_PASSWORD, "confirm": "on"}
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("account_deleted")
    user = User.objects.get(pk=delegate.pk)
    assert user.email == f"deleted-{user.pk}@deleted.invalid"
    assert not user.is_active and not user.has_usable_password()
    assert not DelegateProfile.objects.filter(user=user).exists()
    assert not ProfileHistory.objects.filter(user=user).exists()
    # Registrations stay as counts, without the person; the future one is cancelled.
    kept = Registration.objects.filter(delegate=user)
    assert kept.count() == 2
    assert set(kept.values_list("status", flat=True)) == {Registration.Status.CANCELLED}
    for row in kept.values(
        "first_name", "last_name", "email", "phone", "dietary_needs", "organisation", "nationality"
    ):
        assert set(row.values()) == {""}, row
    # Issued invoice kept as issued (tax law); billing details emptied.
    invoice.refresh_from_db()
    assert invoice.buyer_organisation == "Steppe Minerals LLP" and invoice.buyer_name
    assert BillingDetails.objects.get(registration=registration).address == ""
    # Passport data wiped, badge voided, e-mails to the person gone.
    visa = VisaRequest.objects.get(registration=visa_registration)
    assert visa.passport_data_wiped_at is not None and visa.passport_number == ""
    with pytest.raises(BadToken):
        badge_for_token(token)
    # Only the credit note for the cancelled paid registration still goes out, after the
    # deletion: a tax document the delegate is owed, addressed from the issued invoice.
    left = OutgoingEmail.objects.filter(recipient__iexact=email)
    assert set(left.values_list("kind", flat=True)) == {"billing.credit_note"}
    assert not NewsConsentChange.objects.filter(user=user).exists()
    assert not UndeliverableAddress.objects.filter(address__iexact=email).exists()
    # The secretariat is told, with references and no personal data.
    deletion = AccountDeletion.objects.get(user=user)
    told = OutgoingEmail.objects.get(kind="privacy.account_deleted")
    assert told.recipient == settings.SECRETARIAT_EMAIL
    assert registration.reference in told.body_text
    assert "Nurlanova" not in told.body_text and email not in told.body_text
    assert deletion.counts["registrations"]["registrations_anonymised"] == 2
    # Signed out, and the old password no longer opens anything.
    assert client.get(reverse("my_profile")).status_code == 302
    assert not client.login(email=email, password=TEST_PASSWORD)


def test_deletion_refuses_a_wrong_password_and_changes_nothing(client):
    registration = make_registration()
    client.force_login(registration.delegate)
    response = client.post(reverse("delete_account"), {"password": "wrong", "confirm": "on"})
    assert response.status_code == 400
    assert "This password is not correct." in response.text
    user = User.objects.get(pk=registration.delegate_id)
    assert user.is_active and user.email == registration.email
    assert not AccountDeletion.objects.exists()


def test_staff_cannot_delete_their_account_here(client):
    registration = make_registration()
    User.objects.filter(pk=registration.delegate_id).update(is_staff=True)
    client.force_login(registration.delegate)
    response = client.post(reverse("delete_account"), {"password": TEST_PASSWORD, "confirm": "on"})
    assert response.status_code == 400
    assert "ask an administrator" in response.text
    assert User.objects.get(pk=registration.delegate_id).is_active


def test_deleting_twice_changes_nothing_more(django_capture_on_commit_callbacks):
    registration = make_registration()
    with django_capture_on_commit_callbacks(execute=True):
        first = services.delete_account(registration.delegate)
        again = services.delete_account(registration.delegate)
    assert first.pk == again.pk
    assert OutgoingEmail.objects.filter(kind="privacy.account_deleted").count() == 1


def test_a_later_apps_source_is_exported_and_erased(client):
    """The registry hook: an app added later registers its source and is reached."""
    erased = []
    register_source(
        PersonalDataSource(
            name="checkin_test",
            label="Check-in",
            export=lambda user: {"gate": f"B-{user.pk}"},
            erase=lambda user, *, now: erased.append(user.pk) or {"scans": 1},
            order=70,
        )
    )
    try:
        registration = make_registration()
        client.force_login(registration.delegate)
        data = json.loads(client.get(reverse("my_data_download")).content)["sources"]
        assert data["checkin_test"] == {"gate": f"B-{registration.delegate_id}"}
        deletion = services.delete_account(registration.delegate)
        assert erased == [registration.delegate_id]
        assert deletion.counts["checkin_test"] == {"scans": 1}
    finally:
        from minex import personal_data

        personal_data._sources.pop("checkin_test")
