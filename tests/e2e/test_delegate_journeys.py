"""The main delegate journeys in a real browser (Debian's Chromium), with real e-mail."""

import re

import pytest
from allauth.account.models import EmailAddress
from playwright.sync_api import Page, expect

from registrations.models import Registration
from tests.e2e.conftest import PHONE, assert_accessible, assert_fits_a_phone
from tests.factories import (
    TEST_PASSWORD,
    make_category,
    make_delegate,
    make_event,
    make_forum,
    make_registration,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def _europe_event():
    forum = make_forum(name_en="MINEX Europe", name_ru="MINEX Европа")
    event = make_event(
        forum,
        title_en="10th MINEX Europe, Ireland 2026",
        title_ru="10-й MINEX Europe, Ирландия 2026",
        city_en="Dublin",
        city_ru="Дублин",
        country="IE",
    )
    category = make_category(event, name_en="Delegate", name_ru="Делегат", price="450.00")
    return event, category


def test_newcomer_signs_up_confirms_and_registers_in_russian(live_server, page: Page, mailbox, axe):
    event, category = _europe_event()
    email = "aigerim@steppe-minerals.kz"
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/ru/events/{event.slug}/")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Зарегистрироваться").click()

    # Not logged in: the login page, with a way to create an account that keeps the way back.
    expect(page).to_have_url(re.compile(r"/ru/accounts/login/\?next="))
    assert_accessible(axe, page)
    page.locator('main a[href*="/accounts/signup/"]').first.click()
    expect(page).to_have_url(re.compile(r"/ru/accounts/signup/"))
    assert_fits_a_phone(page)
    page.locator('input[name="email"]').fill(email)
    page.locator('input[name="password1"]').fill("Astana-2026-secure")
    page.locator('input[name="password2"]').fill("Astana-2026-secure")
    page.locator('main form button[type="submit"]').click()

    # The confirmation e-mail arrives, in Russian, at a real SMTP server.
    expect(page.locator("main")).to_contain_text(email)
    confirmation = mailbox.latest_to(email)
    link = mailbox.link_in(confirmation, r"http://[^\s]+/accounts/confirm-email/[^\s]+")
    page.goto(link)
    page.locator('main form button[type="submit"]').click()

    # Back at the registration form, in Russian.
    expect(page).to_have_url(f"{live_server.url}/ru/events/{event.slug}/register/")
    assert_accessible(axe, page)
    assert_fits_a_phone(page)
    page.get_by_label("Делегат").check()
    page.locator("input[name=first_name]").fill("Әйгерім")
    page.locator("input[name=last_name]").fill("Құрманғалиқызы")
    page.locator('input[name="consent_privacy"]').check()
    page.get_by_role("button", name="Завершить регистрацию").click()

    registration = Registration.objects.get(email=email)
    expect(page.get_by_test_id("reference")).to_have_text(registration.reference)
    expect(page.get_by_test_id("status")).to_have_text("Подтверждена")
    assert_accessible(axe, page)
    assert_fits_a_phone(page)

    confirmation = mailbox.latest_to(email)
    assert registration.reference in mailbox.text_of(confirmation)
    assert re.search("[А-Яа-яЁё]", mailbox.subject_of(confirmation)), mailbox.subject_of(
        confirmation
    )


def test_returning_delegate_registers_for_a_second_forum_without_retyping(
    live_server, page: Page, mailbox, axe
):
    _event, first_category = _europe_event()
    delegate = make_delegate("returning@qazaqgold.kz", organisation="Qazaq Gold JSC")
    EmailAddress.objects.create(user=delegate, email=delegate.email, verified=True, primary=True)

    make_registration(first_category, delegate=delegate)
    asia = make_event(make_forum(name_en="MINEX Asia"), title_en="12th MINEX Asia 2026")
    make_category(asia, name_en="Delegate", price="300.00", currency="USD")

    page.goto(f"{live_server.url}/en/accounts/login/?next=/en/events/{asia.slug}/register/")
    page.locator('input[name="login"]').fill(delegate.email)
    page.locator('input[name="password"]').fill(TEST_PASSWORD)
    page.locator('main form button[type="submit"]').click()

    expect(page).to_have_url(f"{live_server.url}/en/events/{asia.slug}/register/")
    expect(page.get_by_label("Organisation", exact=True)).to_have_value("Qazaq Gold JSC")
    page.get_by_label("Delegate").check()
    page.locator('input[name="consent_privacy"]').check()
    page.get_by_role("button", name="Complete registration").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you for registering")
    page.get_by_role("link", name="My registrations").first.click()
    expect(page.locator("main")).to_contain_text("12th MINEX Asia 2026")
    expect(page.locator("main")).to_contain_text("10th MINEX Europe, Ireland 2026")
    assert_accessible(axe, page)
    assert Registration.objects.filter(delegate=delegate).count() == 2


def test_public_pages_are_accessible_and_fit_a_phone(live_server, page: Page, axe):
    event, _category = _europe_event()
    page.set_viewport_size(PHONE)
    for path in ("/en/", "/ru/", "/kk/", f"/en/events/{event.slug}/", "/en/privacy/", "/en/nope/"):
        page.goto(f"{live_server.url}{path}")
        assert_accessible(axe, page)
        assert_fits_a_phone(page)
