"""The event dashboard's check-in panel (numbers for its readers, the page's link for those who
may scan) and the admin's zones and scans, scoped to the user's forums."""

from django.urls import reverse

from checkin.models import Zone
from checkin.services import ensure_entrance, scan_badge
from tests.factories import make_event

from .conftest import client_for, token_of


def test_dashboard_panel_counts_and_links_for_those_who_scan(event, delegate_registration, people):
    scan_badge(
        event=event,
        zone=ensure_entrance(event),
        token=token_of(delegate_registration),
        actor=people["secretariat"],
    )
    url = reverse("exports:dashboard", args=[event.slug])

    secretariat_page = client_for(people["secretariat"]).get(url).content.decode()
    organiser_page = client_for(people["organiser"]).get(url).content.decode()

    for page in (secretariat_page, organiser_page):
        assert 'id="checkin-live"' in page
        assert 'data-number="admitted">1<' in page
        assert "checkin/live.js" in page
    assert f'href="/staff/checkin/{event.pk}/"' in secretariat_page
    assert f'href="/staff/checkin/{event.pk}/"' not in organiser_page


def test_admin_zones_and_scans_are_scoped_to_the_users_forums(event, people):
    own = ensure_entrance(event)
    other = ensure_entrance(make_event())
    Zone.objects.create(event=event, name_en="Plenary")
    secretariat = client_for(people["secretariat"])

    zones = secretariat.get("/en/admin/checkin/zone/")
    scans = secretariat.get("/en/admin/checkin/scan/")
    organiser = client_for(people["organiser"]).get("/en/admin/checkin/zone/")
    door = client_for(people["door"]).get("/en/admin/checkin/scan/")

    assert zones.status_code == 200 and scans.status_code == 200
    assert secretariat.get("/en/admin/checkin/zone/add/").status_code == 200
    assert secretariat.get(f"/en/admin/checkin/zone/{own.pk}/change/").status_code == 200
    assert {z.pk for z in zones.context["cl"].result_list} >= {own.pk, other.pk}
    assert f"/staff/checkin/{event.pk}/?zone={own.pk}" in zones.content.decode()
    assert organiser.status_code == 403  # organisers have no check-in permissions
    assert door.status_code == 403  # the door's staff only scan


def test_a_zone_admits_only_its_own_events_categories(event, category, people):
    from checkin.admin import ZoneForm
    from tests.factories import make_category

    other_category = make_category(make_event(), price=0)
    data = {"event": event.pk, "name_en": "Gala", "position": 1, "active": "on"}

    wrong = ZoneForm({**data, "categories": [other_category.pk]})
    right = ZoneForm({**data, "categories": [category.pk]})

    assert not wrong.is_valid()
    assert wrong.errors["categories"] == ["Choose categories of this zone's event only."]
    assert right.is_valid(), right.errors
