"""Garbage in an address gets a translated 4xx, never a 500: NUL characters (which PostgreSQL
refuses in text) in paths and query strings of delegate, admin and staff pages."""

import pytest

from accounts.models import User
from tests.factories import make_delegate, make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    client.force_login(User.objects.create_superuser("root@minexforum.com", "a-long-password-1"))
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/ru/my/registrations/%00/",
        "/ru/my/registrations/MX26%00/calendar.ics",
        "/ru/events/x%00y/",
        "/ru/?q=%00",
    ],
)
def test_nul_in_a_delegate_address_is_a_translated_400(client, url):
    client.force_login(make_delegate())
    response = client.get(url)
    assert response.status_code == 400
    page = response.content.decode()
    assert '<html lang="ru">' in page
    assert "Bad request" not in page  # the page speaks Russian


@pytest.mark.parametrize(
    "query",
    [
        "country__exact=%00",
        "status__exact=%00",
        "q=%00",
        "event__id__exact=1%00",
    ],
)
def test_nul_in_an_admin_filter_is_a_400(superuser_client, query):
    response = superuser_client.get(f"/en/admin/registrations/registration/?{query}")
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()


def test_nul_in_an_export_filter_is_a_400(superuser_client):
    event = make_event()
    response = superuser_client.get(f"/en/staff/events/{event.slug}/export/?country__exact=%00")
    assert response.status_code == 400


def test_a_reference_with_odd_characters_is_simply_not_found(client):
    client.force_login(make_delegate())
    assert client.get("/en/my/registrations/MX26%20AST/").status_code == 404
    assert client.get("/en/my/registrations/%D0%96%D0%96/").status_code == 404
