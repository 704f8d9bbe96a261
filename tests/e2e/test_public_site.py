"""A visitor on a phone finds a forum and switches language, in a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.factories import make_event, make_forum

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 740}


def _no_horizontal_scroll(page: Page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_visitor_on_a_phone_opens_an_event_and_switches_to_russian(live_server, page: Page):
    forum = make_forum(name_en="MINEX Europe", name_ru="MINEX Европа")
    event = make_event(
        forum,
        title_en="10th MINEX Europe, Ireland 2026",
        title_ru="10-й MINEX Europe, Ирландия 2026",
        venue_en="Convention Centre Dublin, Spencer Dock, North Wall Quay, Dublin 1",
        description_en="Europe's own mineral resources, " * 40,
    )
    page.set_viewport_size(PHONE)

    page.goto(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert _no_horizontal_scroll(page)

    page.get_by_role("link", name="10th MINEX Europe, Ireland 2026").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("10th MINEX Europe, Ireland 2026")
    assert _no_horizontal_scroll(page)

    page.get_by_role("navigation", name="Language").get_by_role("link", name="RU").click()
    expect(page).to_have_url(f"{live_server.url}/ru/events/{event.slug}/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    expect(page.get_by_role("heading", level=1)).to_have_text("10-й MINEX Europe, Ирландия 2026")
    assert _no_horizontal_scroll(page)
