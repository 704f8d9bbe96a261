"""The door, online, in Chromium: a badge held to the (fake) camera is checked in green, held
again amber, and the check-in undone; a photo of a badge; the search by a Cyrillic fragment of
a name; a cancelled registration's badge refused in red with its reason. All under the strict
CSP, without a console error, accessible, and on a 360 px phone."""

import re

import pytest
from playwright.sync_api import Page, expect

from checkin.models import Scan, Zone
from registrations.models import Registration
from tests.e2e.checkin_door import (
    expect_verdict,
    make_door,
    qr_png,
    qr_video,
    scan_photo,
    token_of,
)
from tests.e2e.conftest import BrowserProblems, assert_accessible, assert_fits_a_phone, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# What the door's page keeps in this browser: its cache, and the lists in IndexedDB.
ON_THE_DEVICE = """async () => {
  const database = await new Promise((resolve) => {
    const request = indexedDB.open("minex-checkin", 1);
    request.onsuccess = () => resolve(request.result);
  });
  const lists = await new Promise((resolve) => {
    const request = database.transaction("lists").objectStore("lists").count();
    request.onsuccess = () => resolve(request.result);
  });
  database.close();
  return {page_cached: await caches.has("minex-checkin-v1"), lists};
}"""


@pytest.fixture
def camera_page(browser_type, browser_type_launch_args, tmp_path):
    """A Chromium of its own whose camera films `camera_page.video` (written before the
    browser starts: Chromium reads the file when the page asks for the camera)."""
    video = tmp_path / "badge.y4m"
    browsers = []

    def start(text: str) -> Page:
        qr_video(text, video)
        browser = browser_type.launch(
            **{
                **browser_type_launch_args,
                "args": [
                    *browser_type_launch_args["args"],
                    "--use-fake-ui-for-media-stream",
                    "--use-fake-device-for-media-stream",
                    f"--use-file-for-fake-video-capture={video}",
                ],
            }
        )
        browsers.append(browser)
        # A laptop at the registration desk (the phone layout is the search journey's).
        return browser.new_context(viewport={"width": 1366, "height": 900}).new_page()

    yield start
    for browser in browsers:
        browser.close()


def test_badge_at_the_camera_is_checked_in_then_already_then_undone(
    live_server, camera_page, tmp_path, axe, screenshots
):
    door = make_door()
    page = camera_page(token_of(door.asem))
    shots = screenshots("checkin-camera-1366")
    browser = BrowserProblems(page)
    log_in(page, live_server, door.staff)

    browser.visit(door.url(live_server))
    expect(page.get_by_role("heading", level=1)).to_contain_text(door.event.title)
    entrance = Zone.objects.get(event=door.event, is_entrance=True)
    expect(page.get_by_label("Zone")).to_have_value(str(entrance.pk))
    expect(page.get_by_label("Zone").locator("option:checked")).to_have_text("Entrance")
    page.get_by_role("button", name="Start the camera").click()

    # The badge is in front of the camera: in, and the door says so in a word and a colour.
    expect_verdict(page, "green", "Checked in", "Әсем Қуанышқызы", "Steppe Minerals LLP")
    # From the code read to the answer on screen: well under a second.
    assert int(page.locator("#checkin").get_attribute("data-answer-ms")) < 1000
    door.asem.refresh_from_db()
    assert door.asem.checked_in_at is not None
    # Still held there after the 3 s pause: the same badge again.
    expect_verdict(page, "amber", "Already checked in", "Әсем Қуанышқызы", timeout=10_000)
    shots.take(page, "already")
    page.get_by_role("button", name="Stop the camera").click()
    assert Scan.objects.filter(registration=door.asem, outcome="already").exists()

    # The first scan was a mistake: undone from the recent scans while its minute runs.
    recent = page.locator('[data-recent] li[data-colour="green"]')
    expect(recent).to_have_count(1)
    recent.get_by_role("button", name=re.compile(r"^Undo the check-in of Әсем Қуанышқызы")).click()
    expect_verdict(page, "undone", "Check-in undone", "Әсем Қуанышқызы")
    shots.take(page, "undone")
    door.asem.refresh_from_db()
    assert door.asem.checked_in_at is None

    # The same badge from a photo: in again.
    scan_photo(page, qr_png(token_of(door.asem), tmp_path / "asem.png"))
    expect_verdict(page, "green", "Checked in", "Әсем Қуанышқызы")
    door.asem.refresh_from_db()
    assert door.asem.checked_in_at is not None
    expect(page.locator("[data-recent] li").first).to_have_attribute("data-colour", "green")
    expect(page.locator("[data-recent] li.recent__item--undone")).to_have_count(1)
    assert_accessible(axe, page)
    browser.check()


def test_search_by_a_cyrillic_fragment_and_a_cancelled_badge_on_a_phone(
    live_server, page: Page, tmp_path, axe, screenshots
):
    door = make_door()
    shots = screenshots("checkin-search-360")
    page.set_viewport_size({"width": 360, "height": 780})
    browser = BrowserProblems(page)
    log_in(page, live_server, door.staff)
    browser.visit(door.url(live_server))
    assert_fits_a_phone(page)

    # A damaged badge: the desk finds the delegate by a part of her name, any case.
    page.get_by_label("Name, reference or organisation").fill("қуаныш")
    results = page.locator("[data-search-results] li")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text("Steppe Minerals LLP")
    expect(results.first).to_contain_text(door.asem.reference)
    results.first.get_by_role("button", name="Check in Әсем Қуанышқызы").click()
    expect_verdict(page, "green", "Checked in", "Әсем Қуанышқызы", door.asem.reference)
    shots.take(page, "checked-in")
    door.asem.refresh_from_db()
    assert door.asem.checked_in_at is not None
    assert_fits_a_phone(page)

    # Dana cancelled: her badge still scans, and the door says why she may not enter.
    scan_photo(page, qr_png(token_of(door.cancelled), tmp_path / "dana.png"))
    expect_verdict(page, "red", "Not admitted", "Dana Petrova")
    expect(page.locator("[data-result-message]")).to_contain_text(re.compile("cancel", re.I))
    shots.take(page, "refused")

    # At the gala dinner's door, for speakers only, John (a delegate) is turned away.
    page.get_by_label("Zone").select_option(label="Gala dinner")
    expect(page).to_have_url(re.compile(rf"\?zone={door.gala.pk}$"))
    scan_photo(page, qr_png(token_of(door.john), tmp_path / "john.png"))
    expect_verdict(page, "red", "Not admitted", "John Smith")
    expect(page.locator("[data-result-message]")).to_have_text(
        "The category Delegate is not admitted to Gala dinner."
    )
    assert Scan.objects.get(registration=door.john).zone == door.gala

    # The page has no language prefix: the header's switcher still changes its language.
    page.locator('.language-switcher a[hreflang="ru"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("link", name="Форумы")).to_be_visible()
    expect(page.locator("#checkin-zone")).to_have_value(str(door.gala.pk))

    # Logging out of a shared phone takes the cached page and the participants' list with it.
    expect(page.locator("#checkin")).to_have_attribute("data-offline-ready", "true")
    assert page.evaluate(ON_THE_DEVICE) == {"page_cached": True, "lists": 1}
    page.locator('.site-nav form[action*="logout"] button').click()
    expect(page).not_to_have_url(re.compile("/staff/checkin/"))
    assert page.evaluate(ON_THE_DEVICE) == {"page_cached": False, "lists": 0}
    door.cancelled.refresh_from_db()
    assert door.cancelled.status == Registration.Status.CANCELLED
    assert door.cancelled.checked_in_at is None
    assert Scan.objects.get(registration=door.cancelled).outcome == "refused"
    assert_fits_a_phone(page)
    assert_accessible(axe, page)
    browser.check()
