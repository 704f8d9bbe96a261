"""The registration changelist: constant queries per page, filters that list only the
user's forums, search, and the links to the on-behalf page and the exports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from registrations.roles import ORGANISER
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

from .conftest import CHANGELIST, client_for, make_staff

pytestmark = pytest.mark.django_db


def _registrations(category, count):
    for n in range(count):
        make_registration(
            category,
            delegate=make_delegate(country=["KZ", "GB", "DE"][n % 3], last_name=f"Row{n}"),
        )


def _queries(client, url=CHANGELIST) -> tuple[int, str]:
    client.get(url)  # warm the permission caches of this session alike for both sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.content.decode()


@pytest.mark.parametrize("role", ["secretariat", "organiser"])
@pytest.mark.parametrize(
    "url", [CHANGELIST, CHANGELIST + "?status__exact=confirmed&visa_letter_needed__exact=0&q=Row"]
)
def test_changelist_queries_do_not_grow_with_rows(roles, role, url):
    forum = make_forum()
    category = make_category(make_event(forum))
    if role == "secretariat":
        user = make_staff("sec@example.com", group="Secretariat")
    else:
        user = make_staff("org@example.com", group=ORGANISER, forums=[forum])
    client = client_for(user)

    _registrations(category, 1)
    one, page_one = _queries(client, url)
    _registrations(category, 2)
    three, page_three = _queries(client, url)

    # One cell per row (organisers have no actions, so no row checkboxes to count).
    assert page_one.count('class="field-reference"') == 1
    assert page_three.count('class="field-reference"') == 3
    if role == "secretariat":
        assert page_one.count('class="action-select"') == 1
        assert page_three.count('class="action-select"') == 3
    assert one == three, f"{one} queries with 1 row, {three} with 3"


def test_filters_list_only_the_organisers_forums_events_and_categories(people, world):
    response = client_for(people["organiser_b"]).get(CHANGELIST)
    page = response.content.decode()

    assert "MINEX Asia" in page and "MINEX Asia 2026" in page
    assert "MINEX Europe" not in page  # neither the forum, nor its event, nor its categories
    assert "Speaker" not in page


def test_category_filter_follows_the_chosen_event(people, world):
    url = f"{CHANGELIST}?event__id__exact={world.event_a.pk}"
    page = client_for(people["secretariat"]).get(url).content.decode()

    assert f"category__id__exact={world.speakers_a.pk}" in page
    assert "MINEX Asia 2026)" not in page  # forum B's categories are not offered


def test_another_forums_event_in_the_querystring_shows_nothing(people, world):
    url = f"{CHANGELIST}?event__id__exact={world.event_a.pk}"
    page = client_for(people["organiser_b"]).get(url).content.decode()

    assert world.pending_a.reference not in page
    assert world.registration_b.reference not in page


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Pending", {"pending_a"}),
        ("confirmed@example", {"confirmed_a"}),
        ("Steppe", {"pending_a", "confirmed_a", "registration_b"}),
        ("{reference}", {"pending_a"}),
    ],
)
def test_search_by_name_email_organisation_reference(people, world, query, expected):
    query = query.format(reference=world.pending_a.reference)
    page = client_for(people["secretariat"]).get(CHANGELIST, {"q": query}).content.decode()

    shown = {
        name
        for name in ("pending_a", "confirmed_a", "registration_b")
        if getattr(world, name).reference in page
    }
    assert shown == expected


def test_filters_by_status_country_visa_and_checked_in(people, world):
    client = client_for(people["secretariat"])
    pending = client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert world.pending_a.reference in pending
    assert world.confirmed_a.reference not in pending

    not_here = client.get(CHANGELIST, {"checked_in": "yes"}).content.decode()
    assert world.confirmed_a.reference not in not_here
    assert client.get(CHANGELIST, {"country__exact": "KZ"}).status_code == 200
    visa = client.get(CHANGELIST, {"visa_letter_needed__exact": "1"}).content.decode()
    assert world.confirmed_a.reference not in visa


def test_country_filter_lists_the_countries_present(people, world):
    page = client_for(people["secretariat"]).get(CHANGELIST).content.decode()

    assert "country__exact=KZ" in page
    assert "country__exact=FR" not in page


def test_bad_filter_value_redirects_like_django(people, world):
    response = client_for(people["secretariat"]).get(CHANGELIST, {"event__id__exact": "x"})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST + "?e=1"


def test_export_link_passes_the_filters_to_the_events_export(people, world):
    client = client_for(people["organiser_a"])
    url = (
        f"{CHANGELIST}?event__id__exact={world.event_a.pk}&status__exact=confirmed"
        "&country__exact=KZ&q=Conrad&o=2"
    )
    page = client.get(url).content.decode()

    export = f"/en/staff/events/{world.event_a.slug}/export/?"
    assert export in page
    link = page[page.index(export) :].split('"')[0].replace("&amp;", "&")
    assert "status__exact=confirmed" in link and "country__exact=KZ" in link
    assert "q=Conrad" in link
    assert "event__id__exact" not in link and "o=2" not in link
    # The exports page accepts them.
    assert client.get(link).status_code == 200


def test_no_export_link_without_an_event_or_for_another_forums_event(people, world):
    page = client_for(people["organiser_a"]).get(CHANGELIST).content.decode()
    assert "Export these" not in page
    url = f"{CHANGELIST}?event__id__exact={world.event_a.pk}"
    page = client_for(people["organiser_b"]).get(url).content.decode()
    assert "Export these" not in page


def test_on_behalf_link_only_for_those_who_may_register(people, world):
    assert "on-behalf/" in client_for(people["secretariat"]).get(CHANGELIST).content.decode()
    assert "on-behalf/" not in client_for(people["organiser_a"]).get(CHANGELIST).content.decode()


def _shown(page, world) -> set[str]:
    return {
        name
        for name in ("pending_a", "confirmed_a", "registration_b")
        if getattr(world, name).reference in page
    }


def test_forum_filter_narrows_the_secretariats_list_to_one_forum(people, world):
    client = client_for(people["secretariat"])

    forum_a = client.get(CHANGELIST, {"event__forum__id__exact": world.forum_a.pk})
    forum_b = client.get(CHANGELIST, {"event__forum__id__exact": world.forum_b.pk})

    assert forum_a.status_code == 200
    assert _shown(forum_a.content.decode(), world) == {"pending_a", "confirmed_a"}
    assert forum_b.status_code == 200
    assert _shown(forum_b.content.decode(), world) == {"registration_b"}
    # The event filter then offers only the chosen forum's events.
    assert f"event__id__exact={world.event_b.pk}" not in forum_a.content.decode()


def test_forum_filter_works_for_an_organiser_and_offers_only_their_forums(people, world):
    client = client_for(people["organiser_a"])

    own = client.get(CHANGELIST, {"event__forum__id__exact": world.forum_a.pk})
    page = own.content.decode()

    assert own.status_code == 200
    assert _shown(page, world) == {"pending_a", "confirmed_a"}
    assert f"event__forum__id__exact={world.forum_a.pk}" in page
    assert f"event__forum__id__exact={world.forum_b.pk}" not in page
    assert "MINEX Asia" not in page


def test_forum_filter_with_another_organisers_forum_shows_nothing(people, world):
    response = client_for(people["organiser_a"]).get(
        CHANGELIST, {"event__forum__id__exact": world.forum_b.pk}
    )

    assert response.status_code == 200
    assert _shown(response.content.decode(), world) == set()
    assert "MINEX Asia" not in response.content.decode()


def test_forum_filter_with_a_bad_value_redirects_like_django(people, world):
    response = client_for(people["organiser_a"]).get(CHANGELIST, {"event__forum__id__exact": "x"})

    assert response.status_code == 302
    assert response["Location"] == CHANGELIST + "?e=1"
