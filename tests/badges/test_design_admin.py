"""The secretariat's badge design: size, fields, a validated colour per category."""

import pytest

from badges.models import BadgeCategoryColour, BadgeDesign
from tests.badges.conftest import client_for
from tests.factories import make_category

pytestmark = pytest.mark.django_db

ADD = "/en/admin/badges/badgedesign/add/"


def _form(event, category, colour) -> dict:
    return {
        "event": str(event.pk),
        "size": BadgeDesign.Size.A4_FOUR_UP,
        "language": "kk",
        "show_native_name": "on",
        "show_latin_name": "on",
        "show_qr": "on",
        "colours-TOTAL_FORMS": "1",
        "colours-INITIAL_FORMS": "0",
        "colours-MIN_NUM_FORMS": "0",
        "colours-MAX_NUM_FORMS": "1000",
        "colours-0-category": str(category.pk),
        "colours-0-colour": colour,
    }


def test_secretariat_makes_a_design_with_a_colour_per_category(secretariat, event_a):
    category = make_category(event_a, name_en="Speaker")
    client = client_for(secretariat)

    refused = client.post(ADD, _form(event_a, category, "red;}x{"))
    saved = client.post(ADD, _form(event_a, category, "#FFD700"))

    assert refused.status_code == 200
    assert "Enter a colour as # and six hexadecimal digits" in refused.content.decode()
    assert saved.status_code == 302
    design = BadgeDesign.objects.get(event=event_a)
    assert (design.size, design.language, design.show_country) == ("a4_4up", "kk", False)
    assert BadgeCategoryColour.objects.get(design=design).colour == "#FFD700"


def test_organiser_cannot_change_designs(people):
    assert client_for(people["organiser"]).get(ADD).status_code == 403
