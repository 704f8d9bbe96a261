"""Every page a delegate uses, on a 375 px phone, in every language: nothing scrolls sideways
and no word is split across two lines."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from events.models import Event
from tests.e2e.conftest import PHONE
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LANGUAGES = ("en", "ru", "kk")

# Each word of every rendered text node is measured with a Range: a word the browser laid out
# on one line gives rectangles on one line; a word broken mid-way gives a rectangle starting
# below another one's bottom. Words are cut at spaces, hyphens and dashes (where a line may
# end in any language); text that is not laid out (closed <details>, <option>) has no
# rectangles and is skipped, as is text hidden for screen readers only.
BROKEN_WORDS_JS = """
() => {
  const broken = [];
  const range = document.createRange();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const word = /[^\\s\\-\\u2010\\u2013\\u2014]+/g;
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (!parent || parent.closest("script, style, select, textarea, .visually-hidden")) continue;
    for (const match of node.data.matchAll(word)) {
      range.setStart(node, match.index);
      range.setEnd(node, match.index + match[0].length);
      const rects = Array.from(range.getClientRects()).filter(r => r.width > 0 && r.height > 0);
      const split = rects.some(a => rects.some(b => a.top >= b.bottom - 1));
      if (split) broken.push(`<${parent.tagName.toLowerCase()}> ${match[0]}`);
    }
  }
  return broken;
}
"""


def _problems(page: Page) -> list[str]:
    problems = []
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    if scroll_width > inner_width:
        problems.append(f"scrolls sideways: {scroll_width} px > {inner_width} px")
    problems += [f"word broken: {word}" for word in page.evaluate(BROKEN_WORDS_JS)]
    return problems


def _log_in(page: Page, live_server, user) -> None:
    # By session cookie: the login form is allauth's, rate-limited, tested elsewhere.
    client = Client()
    client.force_login(user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )


def test_delegate_pages_fit_a_phone_without_broken_words(live_server, page: Page):
    call_command("seed_demo", stdout=io.StringIO())
    open_events = [
        event
        for event in Event.objects.order_by("start_date")
        if event.registration_state() == Event.RegistrationState.OPEN
        and event.categories.filter(is_open=True).exists()
    ]
    registered_event, form_event = open_events[0], open_events[-1]
    assert registered_event != form_event
    delegate = make_delegate(
        first_name="Айгерим",
        last_name="Нұрланқызы",
        organisation="Steppe Minerals LLP",
        job_title="Главный геолог",
        country="KZ",
        phone="+77012345678",
        nationality="KZ",
        dietary_needs="Вегетарианское питание без глютена",
        accessibility_needs="Step-free access, sign-language interpretation",
        consent_attendee_list=True,
    )
    priced = registered_event.categories.filter(price__gt=0).order_by("display_order").first()
    registration = make_registration(
        priced, delegate=delegate, dietary_needs="Vegetarian", accessibility_needs="Step-free"
    )
    page.set_viewport_size(PHONE)
    problems = []
    for language in LANGUAGES:  # the header with "Log in" and "Sign up"
        page.goto(f"{live_server.url}/{language}/")
        problems += [f"{page.url} (anonymous): {problem}" for problem in _problems(page)]
    _log_in(page, live_server, delegate)

    for language in LANGUAGES:
        for path in (
            "",
            f"events/{registered_event.slug}/",
            f"events/{form_event.slug}/register/",
            "my/registrations/",
            f"my/registrations/{registration.reference}/",
            "profile/",  # the details, the consents and the history of changes
        ):
            url = f"{live_server.url}/{language}/{path}"
            response = page.goto(url)
            assert response.status == 200, url
            problems += [f"{url}: {problem}" for problem in _problems(page)]
            if path.endswith("/register/"):  # with a priced category's payment shown
                page.locator("input[name=category]").first.check()
                problems += [f"{url} (chosen): {problem}" for problem in _problems(page)]
    assert not problems, "\n".join(problems)


def test_the_form_shows_the_chosen_categorys_payment_instructions_only(live_server, page: Page):
    event = make_event()
    bank = "Bank transfer against an invoice; quote your reference."
    card = "Pay by card at the registration desk."
    make_category(event, name_en="Delegate", payment_instructions_en=bank)
    make_category(event, name_en="Exhibitor", payment_instructions_en=bank)
    make_category(event, name_en="Student", payment_instructions_en=card)
    make_category(event, name_en="Media", price="0")
    _log_in(page, live_server, make_delegate())
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/en/events/{event.slug}/register/")
    payments = page.locator("details.payment")

    expect(payments.filter(has_text=bank)).to_be_hidden()  # nothing chosen yet
    expect(payments.filter(has_text=card)).to_be_hidden()

    page.get_by_label("Exhibitor").check()
    expect(page.get_by_text(bank)).to_be_visible()
    expect(payments.filter(has_text=card)).to_be_hidden()

    page.get_by_label("Student").check()
    expect(page.get_by_text(card)).to_be_visible()
    expect(payments.filter(has_text=bank)).to_be_hidden()

    page.get_by_label("Media").check()
    expect(payments.filter(has_text=bank)).to_be_hidden()
    expect(payments.filter(has_text=card)).to_be_hidden()


def test_without_javascript_each_payment_instruction_is_listed_once(live_server, browser):
    event = make_event()
    bank = "Bank transfer against an invoice; quote your reference."
    make_category(event, name_en="Delegate", payment_instructions_en=bank)
    make_category(event, name_en="Exhibitor", payment_instructions_en=bank)
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    page = context.new_page()
    _log_in(page, live_server, make_delegate())
    page.goto(f"{live_server.url}/en/events/{event.slug}/register/")

    summary = page.get_by_text("How to pay — Delegate, Exhibitor")
    expect(summary).to_have_count(1)
    summary.click()
    expect(page.get_by_text(bank)).to_be_visible()
    context.close()
