"""The minimal registration admin: the secretariat's link target exists and shows the
history; statuses cannot be edited around the services."""

import pytest
from allauth.account.models import EmailAddress

from registrations.models import Registration
from tests.factories import make_category, make_registration, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = make_user("admin@example.com", is_staff=True, is_superuser=True)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    client.force_login(user)
    return client


def test_registration_change_page_shows_details_and_history(admin_client):
    registration = make_registration(make_category(name_en="Speaker"))

    response = admin_client.get(f"/en/admin/registrations/registration/{registration.pk}/change/")

    assert response.status_code == 200
    html = response.content.decode()
    assert registration.reference in html
    assert "Registered" in html  # the history entry


def test_status_cannot_be_edited_in_the_admin(admin_client):
    registration = make_registration()

    admin_client.post(
        f"/en/admin/registrations/registration/{registration.pk}/change/",
        {"status": "cancelled"},
    )

    assert Registration.objects.get(pk=registration.pk).status == "confirmed"


def test_category_changelist_lists_categories(admin_client):
    category = make_category(name_en="Media")

    response = admin_client.get("/en/admin/registrations/delegatecategory/")

    assert response.status_code == 200
    assert "Media" in response.content.decode()
    assert str(category.event) in response.content.decode()
