"""Two doors lose the venue's network. Each keeps checking badges against the list it
downloaded, queues the scans, reopens the page from its service worker, and syncs when the
network is back: the badge both doors scanned is admitted once (the earlier scan) and recorded
twice; the forged badge is refused on the device and on the server."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from checkin.models import Scan
from registrations.roles import CHECKIN_STAFF
from tests.badges.conftest import make_staff
from tests.e2e.checkin_door import (
    FORGED_TOKEN,
    expect_verdict,
    make_door,
    qr_png,
    scan_photo,
    token_of,
)
from tests.e2e.conftest import BrowserProblems, assert_accessible, log_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def phones(browser: Browser):
    """New browser contexts (each a door's phone, with its own cache and IndexedDB), closed
    before the live server stops."""
    contexts = []

    def new_phone() -> Page:
        contexts.append(browser.new_context(viewport={"width": 390, "height": 844}))
        return contexts[-1].new_page()

    yield new_phone
    for context in contexts:
        context.close()


def open_door(page: Page, live_server, door, staff) -> Page:
    """A door's phone: the page loaded online, ready for the network to drop."""
    log_in(page, live_server, staff)
    page.goto(door.url(live_server))
    # The service worker controls the page, the page and its files are cached, and the
    # list of badges (three: the cancelled one is on it, marked refused) is on the device.
    expect(page.locator("#checkin")).to_have_attribute("data-offline-ready", "true")
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    expect(page.locator("[data-list-state]")).to_contain_text("Badges on this device: 3")
    return page


def queue_of(page: Page):
    return page.locator("#checkin-network")


def test_two_doors_scan_offline_and_the_earlier_scan_wins_after_sync(
    live_server, phones, tmp_path, screenshots, axe
):
    door = make_door()
    shots = screenshots("checkin-offline-390")
    colleague = make_staff("door2@minexforum.com", group=CHECKIN_STAFF, forums=[door.event.forum])
    asem = qr_png(token_of(door.asem), tmp_path / "asem.png")
    forged = qr_png(FORGED_TOKEN, tmp_path / "forged.png")
    hall = open_door(phones(), live_server, door, door.staff)
    side = open_door(phones(), live_server, door, colleague)
    problems = BrowserProblems(hall)

    # The side door goes offline and scans Әсем first.
    side.context.set_offline(True)
    expect(queue_of(side)).to_contain_text("Offline")
    scan_photo(side, asem)
    expect_verdict(
        side, "green", "Checked in", "Checked in (offline, will sync).", "Әсем Қуанышқызы"
    )
    expect(queue_of(side)).to_contain_text("Scans waiting to sync: 1")

    # Then the main hall, offline too: the same badge (green on this device), and a forgery.
    hall.context.set_offline(True)
    scan_photo(hall, asem)
    expect_verdict(hall, "green", "Checked in", "Checked in (offline, will sync).")
    scan_photo(hall, forged)
    expect_verdict(hall, "red", "Not admitted", "Unknown badge")
    expect(queue_of(hall)).to_contain_text("Scans waiting to sync: 2")
    # Scanned again here: this device remembers it let her in.
    scan_photo(hall, asem)
    expect_verdict(hall, "amber", "Already checked in", "on this device")
    expect(queue_of(hall)).to_contain_text("Scans waiting to sync: 3")

    # The hall's phone reloads the page with no network: the service worker serves it, and
    # the queue is still there.
    reopened = hall.reload()
    assert reopened is not None and reopened.from_service_worker
    expect(hall.locator("#checkin")).to_have_attribute("data-network", "offline")
    expect(hall.get_by_role("heading", level=1)).to_contain_text(door.event.title)
    expect(queue_of(hall)).to_contain_text("Scans waiting to sync: 3")
    shots.take(hall, "queued")
    assert_accessible(axe, hall)
    assert not Scan.objects.exists()

    # The side door's network comes back first: its scan, the earliest, lets her in.
    side.context.set_offline(False)
    expect(side.locator("#checkin")).to_have_attribute("data-queued", "0")
    expect(side.locator("[data-synced] li")).to_have_count(1)
    expect(side.locator("[data-synced] li").first).to_have_attribute("data-colour", "green")
    door.asem.refresh_from_db()
    assert door.asem.checked_in_at is not None

    # Then the hall's: the server decides again and says so — the hall's scans of her are
    # "already" (the side door was first), the forgery refused.
    hall.context.set_offline(False)
    expect(hall.locator("#checkin")).to_have_attribute("data-queued", "0")
    expect(queue_of(hall)).to_contain_text("Online")
    synced = hall.locator("[data-synced] li")
    expect(synced).to_have_count(3)
    expect(hall.locator("#checkin [data-synced-summary]")).to_have_text(
        "Scans synced: 3. Decided differently by the server: 1."
    )
    changed = synced.filter(has_text="decided differently by the server")
    expect(changed).to_have_count(1)
    shots.take(hall, "synced")
    expect(changed).to_have_attribute("data-colour", "amber")
    expect(changed).to_contain_text(re.compile(r"Already checked in"))
    expect(
        synced.filter(has_text="Unknown badge").or_(synced.filter(has_text="forged"))
    ).to_have_count(1)

    scans = Scan.objects.order_by("scanned_at")
    assert [(scan.by_id, scan.outcome, scan.offline) for scan in scans] == [
        (colleague.pk, "admitted", True),
        (door.staff.pk, "already", True),
        (door.staff.pk, "refused", True),
        (door.staff.pk, "already", True),
    ]
    assert scans[2].registration_id is None and len(scans[2].token_hash) == 64
    assert FORGED_TOKEN not in {scan.token_hash for scan in scans}
    # A request the script tried while the network was down is the browser's error, not ours.
    problems.seen = [seen for seen in problems.seen if "ERR_INTERNET_DISCONNECTED" not in seen]
    problems.check()
