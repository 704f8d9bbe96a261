"""The secretariat registers a speaker on their behalf in a real browser: choosing the event
narrows the category list to that event's categories, "Approve at once" appears only for a
category that needs approval, and using it gives a confirmed registration."""

import io

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.factories import make_category, make_event, make_forum
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_choosing_an_event_narrows_the_categories_and_approve_now_confirms(live_server, page: Page):
    call_command("setup_roles", stdout=io.StringIO())
    europe = make_event(make_forum(name_en="MINEX Europe"), title_en="MINEX Europe 2026")
    asia = make_event(make_forum(name_en="MINEX Asia"), title_en="MINEX Asia 2026")
    make_category(europe, name_en="Delegate")
    make_category(europe, name_en="Speaker", requires_approval=True)
    make_category(asia, name_en="Media")
    member = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    # Log in by session cookie: the login form is allauth's, rate-limited, tested elsewhere.
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/en/admin/registrations/registration/on-behalf/")
    categories = page.locator("#id_category option")
    approve_now = page.get_by_label("Approve at once")
    expect(categories).to_have_text(["---------", "Delegate", "Speaker (needs approval)", "Media"])
    expect(approve_now).to_be_hidden()

    page.get_by_role("combobox", name="Event").select_option(label="MINEX Asia 2026")
    expect(categories).to_have_text(["---------", "Media"])
    page.get_by_role("combobox", name="Category").select_option(label="Media")
    expect(approve_now).to_be_hidden()

    page.get_by_role("combobox", name="Event").select_option(label="MINEX Europe 2026")
    expect(categories).to_have_text(["---------", "Delegate", "Speaker (needs approval)"])
    expect(page.get_by_role("combobox", name="Category")).to_have_value("")  # Media was Asia's
    page.get_by_role("combobox", name="Category").select_option(label="Speaker (needs approval)")
    expect(approve_now).to_be_visible()
    page.get_by_role("combobox", name="Category").select_option(label="Delegate")
    expect(approve_now).to_be_hidden()
    page.get_by_role("combobox", name="Category").select_option(label="Speaker (needs approval)")
    approve_now.check()

    page.get_by_label("E-mail address").fill("speaker@example.com")
    page.get_by_label("First name").fill("Siobhan")
    page.get_by_label("Last name").fill("Kelly")
    page.get_by_label("The delegate accepted the privacy policy").check()
    page.get_by_role("button", name="Register").click()

    expect(page.locator("ul.messagelist")).to_contain_text("Registered Siobhan Kelly")
    registration = Registration.objects.get(email="speaker@example.com")
    assert (registration.event, registration.category.name) == (europe, "Speaker")
    assert registration.status == Registration.Status.CONFIRMED
