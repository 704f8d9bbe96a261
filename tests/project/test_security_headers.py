"""Every page carries the Content-Security-Policy; every page or download with personal data
says `Cache-Control: private, no-store`; public pages stay cacheable."""

import pytest
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.test import Client
from django.utils.cache import get_max_age

from tests.exports.conftest import make_staff
from tests.factories import make_category, make_delegate, make_event, make_registration, make_user

pytestmark = pytest.mark.django_db

REQUIRED_DIRECTIVES = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "frame-ancestors": "'none'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
}


def policy(response) -> dict[str, str]:
    header = response.headers.get("Content-Security-Policy", "")
    directives = (part.strip().split(None, 1) for part in header.split(";") if part.strip())
    return dict(directives)


def cache_directives(response) -> set[str]:
    header = response.headers.get("Cache-Control", "")
    return {part.strip().split("=")[0] for part in header.split(",") if part.strip()}


def assert_private(response) -> None:
    assert response.status_code == 200, response.status_code
    assert {"private", "no-store"} <= cache_directives(response), response.headers


@pytest.fixture
def registration():
    return make_registration(make_category(make_event()), delegate=make_delegate())


def test_every_kind_of_page_carries_the_policy(client, registration):
    admin_client = Client()
    admin_client.force_login(make_user(is_staff=True, is_superuser=True))
    responses = [
        client.get("/en/"),
        client.get(f"/en/events/{registration.event.slug}/"),
        client.get("/en/accounts/login/"),
        client.get("/en/no-such-page/"),
        client.get("/en/?q=%00"),  # answered by a middleware, not a view
        admin_client.get("/en/admin/registrations/registration/"),
    ]

    for response in responses:
        assert policy(response).items() >= REQUIRED_DIRECTIVES.items(), response.headers
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]


def test_delegate_pages_and_calendar_file_are_private(client, registration):
    client.force_login(registration.delegate)
    base = f"/en/my/registrations/{registration.reference}/"

    for url in [
        "/en/my/registrations/",
        base,
        f"{base}calendar.ics",
        f"/en/events/{make_category(make_event()).event.slug}/register/",  # pre-filled form
        "/en/accounts/email/",  # the account page: the delegate's address
        "/en/profile/",  # the delegate's details, needs and their history
    ]:
        assert_private(client.get(url))


def test_organiser_dashboard_and_exports_are_private(client, registration):
    client.force_login(make_staff(forums=[registration.event.forum]))
    slug = registration.event.slug

    assert_private(client.get("/en/staff/"))
    assert_private(client.get(f"/en/staff/events/{slug}/dashboard/"))
    assert_private(client.get(f"/en/staff/events/{slug}/export/"))
    download = client.post(
        f"/en/staff/events/{slug}/export/",
        {"format": "csv", "variant": "full", "columns": ["reference"]},
    )
    assert_private(download)
    assert registration.reference in b"".join(download.streaming_content).decode("utf-8-sig")


def test_admin_pages_are_private(client, registration):
    client.force_login(make_user(is_staff=True, is_superuser=True))

    for url in [
        "/en/admin/",
        "/en/admin/registrations/registration/",
        f"/en/admin/registrations/registration/{registration.pk}/change/",
        "/en/admin/accounts/user/",
    ]:
        assert_private(client.get(url))


def test_email_confirmation_page_is_private_without_login(client):
    user = make_user("aigerim@example.com")
    address = EmailAddress.objects.create(user=user, email=user.email, primary=True)
    key = EmailConfirmationHMAC(address).key

    response = client.get(f"/en/accounts/confirm-email/{key}/")

    assert "aigerim@example.com" in response.content.decode()
    assert_private(response)


def test_public_pages_stay_cacheable(client, registration):
    for url in ["/en/", f"/en/events/{registration.event.slug}/"]:
        response = client.get(url)

        assert response.status_code == 200
        assert not {"private", "no-store", "no-cache"} & cache_directives(response)
        assert get_max_age(response) is None
