"""A member of the secretariat, in a real browser, finds a pending registration in the
admin, approves it with the bulk action, reads the report, and the delegate's confirmation
reaches the (real) SMTP server."""

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from playwright.sync_api import Page, expect

from registrations.models import Registration
from registrations.roles import SECRETARIAT
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration
from tests.registrations.admin.conftest import make_staff

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_secretariat_approves_a_pending_registration(live_server, page: Page, mailbox):
    call_command("setup_roles", stdout=io.StringIO())
    event = make_event(make_forum(name_en="MINEX Europe"), title_en="MINEX Europe 2026")
    speakers = make_category(event, name_en="Speaker", requires_approval=True)
    delegate_email = "speaker@example.com"
    registration = make_registration(
        speakers, delegate=make_delegate(delegate_email, first_name="Siobhan", last_name="Kelly")
    )
    other = make_registration(speakers, delegate=make_delegate("other@example.com"))
    assert registration.status == Registration.Status.PENDING
    member = make_staff("secretariat@minexforum.com", group=SECRETARIAT)
    # Log in by session cookie: the login form is allauth's, rate-limited, tested elsewhere.
    client = Client()
    client.force_login(member)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    page.goto(f"{live_server.url}/en/admin/registrations/registration/?status__exact=pending")
    expect(page.get_by_role("link", name=registration.reference)).to_be_visible()
    page.get_by_role(
        "checkbox", name=f"Select this object for an action - {registration.reference}"
    ).check()
    page.get_by_role("combobox", name="Action").select_option(
        label="Approve selected registrations"
    )
    page.get_by_role("button", name="Go").click()

    expect(page.locator("ul.messagelist")).to_contain_text("1 registration approved.")
    # The filter (pending) was kept: the approved registration left the list, the other stayed.
    expect(page.get_by_role("link", name=registration.reference)).to_have_count(0)
    expect(page.get_by_role("link", name=other.reference)).to_be_visible()
    assert Registration.objects.get(pk=registration.pk).status == Registration.Status.CONFIRMED

    confirmation = mailbox.latest_to(delegate_email)
    assert re.match(r"Registration confirmed: MINEX Europe 2026", mailbox.subject_of(confirmation))
    assert registration.reference in mailbox.text_of(confirmation)
    assert mailbox.messages_to("other@example.com")[-1] is not None
    assert all(
        "confirmed" not in mailbox.subject_of(m).lower()
        for m in mailbox.messages_to("other@example.com")
    )
