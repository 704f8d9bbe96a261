"""The sources the apps merged after `privacy` register from their own `ready()` (pricing,
add-ons, delegations, check-in, api): each one's data is in the readable copy and the JSON
download, and the account's deletion erases it while keeping what the counts need."""

import datetime
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from addons.models import AddOnBooking, AddOnBookingHistory
from addons.services import book_add_ons
from api.models import ApiToken, WebhookDelivery, WebhookEvent, WebhookSubscription
from checkin.models import Scan, Zone
from delegations.models import Delegation, DelegationMember, Package, PackageSlot, ProtocolRank
from mailings.models import Mailing, MailingRecipient
from minex.personal_data import registered_sources
from pricing.models import CodeUse, PriceLine, RegistrationPricing
from privacy import services
from tests.addons.factories import make_add_on
from tests.factories import make_category, make_delegate, make_registration
from tests.pricing.factories import make_code

pytestmark = pytest.mark.django_db


def _my_data(client, user) -> tuple[str, dict]:
    """The readable page's text and the download's sources, as the delegate gets them."""
    client.force_login(user)
    page = client.get(reverse("my_data"))
    assert page.status_code == 200
    download = client.get(reverse("my_data_download"))
    assert download.status_code == 200
    return page.text, json.loads(download.content)["sources"]


def test_every_app_holding_personal_data_has_registered_a_source():
    names = {source.name for source in registered_sources()}
    assert names >= {"pricing", "addons", "delegations", "checkin", "api", "mailings"}
    for source in registered_sources():
        assert str(source.kept), f"{source.name} says nothing about what deletion keeps"


def test_pricing_source_exports_code_uses_and_keeps_them_on_deletion(client):
    category = make_category(price=Decimal("500"))
    code = make_code(category.event, "SPEAKER-ASEL")
    registration = make_registration(
        category, form_sections={"code": {"code": "SPEAKER-ASEL", "sector": "government"}}
    )
    other = make_registration(category)
    RegistrationPricing.objects.update_or_create(
        registration=registration, defaults={"sector": "government"}
    )
    lines = PriceLine.objects.filter(registration=registration).count()
    assert lines  # pricing priced the registration when it was made

    page, data = _my_data(client, registration.delegate)
    assert "SPEAKER-ASEL" in page and "Prices and codes" in page
    assert data["pricing"]["code_uses"][0]["code"] == "SPEAKER-ASEL"
    assert data["pricing"]["priced_with"][0]["sector"] == "government"
    assert len(data["pricing"]["price_lines"]) == lines
    assert other.reference not in json.dumps(data["pricing"])

    deletion = services.delete_account(registration.delegate)
    assert deletion.counts["pricing"]["sectors_emptied"] == 1
    # The code's usage count still sees the use; the anonymous registration keeps its price.
    assert CodeUse.objects.filter(code=code).count() == 1
    assert PriceLine.objects.filter(registration=registration).count() == lines
    assert RegistrationPricing.objects.get(registration=registration).sector == ""


def test_addons_source_exports_the_site_visit_details_and_wipes_them(
    client, django_capture_on_commit_callbacks
):
    registration = make_registration(
        delegate=make_delegate(first_name="Asel", last_name="Nurlanova")
    )
    visit = make_add_on(
        registration.event,
        name_en="Mine site visit",
        capacity=10,
        asks_ppe_size=True,
        asks_passport_name=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        book_add_ons(
            registration,
            [visit],
            acting_user=registration.delegate,
            details={"ppe_size": "M", "passport_name": "ASEL NURLANOVA"},
        )
    booking = AddOnBooking.objects.get(registration=registration)
    assert booking.passport_name == "ASEL NURLANOVA"

    page, data = _my_data(client, registration.delegate)
    assert "ASEL NURLANOVA" in page and "Mine site visit" in page
    (exported,) = data["addons"]
    assert exported["ppe_size"] == "M" and exported["passport_name"] == "ASEL NURLANOVA"
    assert exported["history"][0]["action"] == "booked"

    with django_capture_on_commit_callbacks(execute=True):
        deletion = services.delete_account(registration.delegate)
    assert deletion.counts["addons"] == {"add_on_bookings_emptied": 1}
    booking.refresh_from_db()
    assert (booking.ppe_size, booking.passport_name) == ("", "")
    # The booking is still counted (cancelled with the registration of an event to come).
    assert AddOnBooking.objects.filter(add_on=visit).count() == 1
    assert AddOnBookingHistory.objects.filter(booking=booking).count() >= 1
    assert not AddOnBookingHistory.objects.filter(booking=booking).exclude(reason="").exists()


def test_delegations_source_exports_focal_point_member_and_package_and_keeps_counts(client):
    focal_point = make_delegate("focal@example.com")
    registration = make_registration(delegate=focal_point)
    colleague = make_registration(registration.category)
    delegation = Delegation.objects.create(
        event=registration.event, name="Ministry of Industry of Mongolia", focal_point=focal_point
    )
    minister = ProtocolRank.objects.create(name="Deputy Minister")
    DelegationMember.objects.create(delegation=delegation, registration=registration, rank=minister)
    DelegationMember.objects.create(delegation=delegation, registration=colleague, position=1)
    package = Package.objects.create(
        event=registration.event,
        name="Gold",
        sponsor="Steppe Minerals LLP",
        contact=focal_point,
        cutoff=timezone.now() + datetime.timedelta(days=10),
    )
    slot = PackageSlot.objects.create(
        package=package,
        category=registration.category,
        position=1,
        registration=registration,
        filled_at=timezone.now(),
    )

    page, data = _my_data(client, focal_point)
    assert "Deputy Minister" in page and "Steppe Minerals LLP" in page
    part = data["delegations"]
    assert part["focal_point_of"][0]["members"] == 2
    assert part["member_of"][0]["protocol_rank"] == "Deputy Minister"
    assert part["package_contact_of"][0]["slots"] == 1
    assert part["package_slots"][0]["registration"] == registration.reference
    assert colleague.reference not in json.dumps(part)  # the others' registrations are theirs

    deletion = services.delete_account(focal_point)
    assert deletion.counts["delegations"]["protocol_ranks_removed"] == 1
    assert DelegationMember.objects.get(registration=registration).rank is None
    assert delegation.members.count() == 2  # the delegation still counts both
    slot.refresh_from_db()
    assert slot.registration_id == registration.pk  # the package's slot stays filled


def test_checkin_source_exports_scans_and_keeps_them_as_anonymous_attendance(client):
    registration = make_registration()
    zone = Zone.objects.create(event=registration.event, name="Main hall", is_entrance=True)
    at = timezone.now() - datetime.timedelta(hours=1)
    scan = Scan.objects.create(
        event=registration.event,
        zone=zone,
        registration=registration,
        token_hash="a" * 64,
        method=Scan.Method.QR,
        outcome=Scan.Outcome.ADMITTED,
        scanned_at=at,
        device="Gate B — Aigerim's phone",
    )

    page, data = _my_data(client, registration.delegate)
    assert "Main hall" in page
    (exported,) = data["checkin"]
    assert exported["outcome"] == "admitted" and exported["device"] == "Gate B — Aigerim's phone"

    deletion = services.delete_account(registration.delegate)
    assert deletion.counts["checkin"] == {"scans_anonymised": 1}
    scan.refresh_from_db()
    assert (scan.device, scan.token_hash) == ("", "")
    assert (scan.outcome, scan.scanned_at, scan.zone_id) == ("admitted", at, zone.pk)
    assert Scan.objects.filter(zone=zone, outcome=Scan.Outcome.ADMITTED).count() == 1


def test_api_source_exports_webhook_payloads_and_blanks_them(
    client, django_capture_on_commit_callbacks
):
    category = make_category()
    subscription = WebhookSubscription.objects.create(
        forum=category.event.forum,
        url="https://hooks.example.com/minex",
        secret="s" * 32,
        events=[WebhookEvent.REGISTRATION_CREATED, WebhookEvent.REGISTRATION_CANCELLED],
    )
    with django_capture_on_commit_callbacks(execute=False):
        registration = make_registration(
            category, delegate=make_delegate(first_name="Asel", last_name="Nurlanova")
        )
        other = make_registration(
            category, delegate=make_delegate(first_name="Other", last_name="Person")
        )
    assert WebhookDelivery.objects.filter(subscription=subscription).count() == 2

    page, data = _my_data(client, registration.delegate)
    assert "hooks.example.com" in page
    (exported,) = data["api"]["webhook_deliveries"]
    assert exported["registration"]["last_name"] == "Nurlanova"
    assert "Person" not in json.dumps(data["api"])
    assert data["api"]["api_tokens"] == []

    with django_capture_on_commit_callbacks(execute=False):
        deletion = services.delete_account(registration.delegate)
    # The delivery made and the one for the cancellation the deletion caused, both emptied.
    assert deletion.counts["api"] == {"webhook_payloads_emptied": 2, "api_tokens_revoked": 0}
    bodies = [json.loads(d.body) for d in WebhookDelivery.objects.filter(subscription=subscription)]
    assert len(bodies) == 3  # nothing deleted: the subscriber's log still counts them
    mine = [b for b in bodies if b["data"]["registration"]["id"] == registration.pk]
    assert {b["type"] for b in mine} == {"registration.created", "registration.cancelled"}
    for body in mine:
        sent = body["data"]["registration"]
        assert (sent["first_name"], sent["last_name"], sent["email"]) == ("", "", "")
        assert sent["reference"] == registration.reference
    assert "Nurlanova" not in json.dumps(bodies)
    assert "Person" in json.dumps(bodies)  # another delegate's deliveries are untouched
    assert other.reference in json.dumps(bodies)


def test_api_tokens_of_a_former_staff_member_are_exported_and_revoked(client):
    delegate = make_delegate()
    token = ApiToken.objects.create(
        user=delegate, name="Badge printer", prefix="mx_abc", key_hash="h" * 64, scopes=[]
    )
    _page, data = _my_data(client, delegate)
    assert data["api"]["api_tokens"][0]["name"] == "Badge printer"
    services.delete_account(delegate)
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_mailings_source_covers_recipients(client):
    registration = make_registration()
    mailing = Mailing.objects.create(name="Programme", subject="The programme is out", body="…")
    MailingRecipient.objects.create(
        mailing=mailing,
        delegate=registration.delegate,
        registration=registration,
        email=registration.email,
        language="en",
    )
    page, data = _my_data(client, registration.delegate)
    assert "The programme is out" in page
    assert data["mailings"][0]["email"] == registration.email
    services.delete_account(registration.delegate)
    recipient = MailingRecipient.objects.get(mailing=mailing)
    assert recipient.email.endswith("@deleted.invalid")
