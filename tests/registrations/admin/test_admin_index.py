"""The admin's index and sidebar list each app once, under a clear translated name."""

import html
import re

import pytest

from .conftest import CHANGELIST, client_for

pytestmark = pytest.mark.django_db


def sections(page: str) -> list[str]:
    """The app sections' headings (index page or sidebar)."""
    return [
        html.unescape(name).strip()
        for name in re.findall(
            r'<caption>\s*<a href="[^"]*" class="section"[^>]*>([^<]*)</a>', page
        )
    ]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (
            "superuser",
            [
                "Add-ons",
                "API and webhooks",
                "Badges",
                "Billing",
                "Check-in",
                "Delegations",
                "Exports and dashboard",
                "Forums and events",
                "Mail",
                "Mailings",
                "Pricing and codes",
                "Registrations",
                "Users and roles",
                "Visa invitation letters",
            ],
        ),
        (
            "secretariat",
            [
                "Add-ons",
                "Badges",
                "Billing",
                "Check-in",
                "Delegations",
                "Exports and dashboard",
                "Forums and events",
                "Mail",
                "Mailings",
                "Pricing and codes",
                "Registrations",
                "Visa invitation letters",
            ],
        ),
        # Organisers see billing's totals on the dashboard only, no billing section; they see
        # the add-ons with their counts and manifests (without special personal data), and
        # the delegations with the VIP list.
        (
            "organiser_a",
            [
                "Add-ons",
                "Delegations",
                "Exports and dashboard",
                "Forums and events",
                "Registrations",
                "Visa invitation letters",
            ],
        ),
    ],
)
def test_index_lists_each_app_once(people, who, expected):
    client = client_for(people[who])

    index = client.get("/en/admin/").content.decode()
    sidebar = client.get(CHANGELIST).content.decode()
    sidebar = sidebar[sidebar.index('id="nav-sidebar"') :]

    assert sections(index) == expected
    assert sections(sidebar) == expected


def test_users_groups_and_addresses_are_one_section(people):
    client = client_for(people["superuser"])

    index = client.get("/en/admin/").content.decode()
    section = client.get("/en/admin/auth/").content.decode()

    assert "Authentication and Authorization" not in index
    assert index.count(">Users and roles<") == 1
    for model in ("Users", "Groups", "Email addresses"):
        assert f">{model}</a>" in index
        assert f">{model}</a>" in section


def test_index_in_russian_lists_each_app_once(people):
    client = client_for(people["superuser"])
    names = sections(client.get("/ru/admin/").content.decode())
    english = sections(client.get("/en/admin/").content.decode())

    assert len(names) == len(set(names)) == len(english) == 14
    assert "Регистрации" in names
    assert "Учётные записи" not in names  # allauth's "Accounts", twice before
