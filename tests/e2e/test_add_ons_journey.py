"""Add-ons in a real browser: a delegate books the last gala seat and a site visit on the
registration form (PPE size, passport name), sees them on the registration page, and gives
the seat back; the delegate waiting for it gets it and an e-mail, over real SMTP."""

from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from addons.models import AddOn, AddOnBooking
from addons.services import book_add_ons
from tests.addons.factories import make_add_on
from tests.e2e.conftest import (
    PHONE,
    BrowserProblems,
    assert_accessible,
    assert_fits_a_phone,
    log_in,
)
from tests.factories import make_category, make_delegate, make_event, make_registration
from tests.processes import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_last_gala_seat_booked_and_given_back_to_the_waitlist(
    live_server, page: Page, axe, mailbox
):
    event = make_event(title_en="MINEX Central Asia 2026")
    category = make_category(event, name_en="Delegate", price=Decimal("0"))
    gala = make_add_on(event, name_en="Gala dinner", capacity=2, price=Decimal("0"))
    visit = make_add_on(
        event,
        kind=AddOn.Kind.SITE_VISIT,
        name_en="Mine-site visit",
        capacity=20,
        asks_ppe_size=True,
        asks_passport_name=True,
    )
    speakers = make_category(event, name_en="Speaker", price=Decimal("0"), code="speakers")
    masterclass = make_add_on(event, name_en="Speakers' masterclass", categories=[speakers])
    earlier = make_registration(category)
    book_add_ons(earlier, [gala], acting_user=earlier.delegate)
    delegate = make_delegate("aigerim@example.com")
    page.set_viewport_size(PHONE)
    problems = BrowserProblems(page)
    log_in(page, live_server, delegate)

    problems.visit(f"{live_server.url}/en/events/{event.slug}/register/")
    section = page.locator("fieldset[data-form-section=addons]")
    expect(section).to_contain_text("Gala dinner — free · 1 left")
    only_for_speakers = section.locator(f"input[name='addons-add_on_{masterclass.pk}']")
    page.locator(f"input[name=category][value='{speakers.pk}']").check()
    expect(only_for_speakers).to_be_visible()
    page.locator(f"input[name=category][value='{category.pk}']").check()
    expect(only_for_speakers).to_be_hidden()
    section.get_by_label("Gala dinner — free · 1 left").check()
    section.locator(f"input[name='addons-add_on_{visit.pk}']").check()
    section.locator("select[name='addons-ppe_size']").select_option("L")
    section.locator("input[name='addons-passport_name']").fill("AIGERIM NURLANOVA")
    assert_accessible(axe, page)
    assert_fits_a_phone(page)
    page.locator("input[name=consent_privacy]").check()
    page.locator("form.registration-form button[type=submit]").click()
    expect(page.locator("main")).to_contain_text("Thank you", ignore_case=True)

    # Someone else asks for the gala now: the seat is gone, they wait.
    waiting = make_registration(category, delegate=make_delegate("waiting@example.com"))
    assert book_add_ons(waiting, [gala], acting_user=waiting.delegate)[0].status == "waitlisted"

    registration = delegate.registrations.get()
    problems.visit(f"{live_server.url}/en/my/registrations/{registration.reference}/")
    panel = page.locator("#add-ons")
    expect(panel.locator(f"[data-add-on='{gala.pk}']")).to_contain_text("Confirmed")
    expect(panel.locator(f"[data-add-on='{visit.pk}']")).to_contain_text("PPE size L")
    assert_accessible(axe, page)
    assert_fits_a_phone(page)

    panel.get_by_role("button", name="Cancel Gala dinner").click()
    expect(page.locator("main")).to_contain_text("Gala dinner is cancelled.")
    expect(page.locator(f"[data-add-on='{gala.pk}']")).to_have_count(0)

    promoted = AddOnBooking.objects.get(registration=waiting, add_on=gala)
    assert promoted.status == AddOnBooking.Status.CONFIRMED
    message = wait_until(
        lambda: next(
            (
                m
                for m in mailbox.messages_to("waiting@example.com")
                if "A place came free for you" in mailbox.subject_of(m)
            ),
            None,
        ),
        timeout=30,
        message="the waiting delegate got no e-mail about the gala seat",
    )
    assert "Gala dinner" in mailbox.subject_of(message)
    assert "moved up from the waitlist" in mailbox.text_of(message)
    problems.check()
