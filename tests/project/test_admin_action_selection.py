"""Every admin action of every ModelAdmin answers a tampered selection (ids that are not ids)
with a translated 400 and changes nothing."""

import pytest
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from mail.models import OutgoingEmail
from registrations.models import Registration, RegistrationHistory
from tests.factories import make_registration, make_user

pytestmark = pytest.mark.django_db

GARBAGE_IDS = ["abc", "1.5", "", "7e2"]


def snapshot() -> dict:
    """Every row an action could change, as plain values."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in [*admin.site._registry, RegistrationHistory]
    }


@pytest.fixture
def superuser_client(client):
    superuser = make_user("root@example.com", is_staff=True, is_superuser=True)
    client.force_login(superuser)
    return client


@pytest.fixture
def one_of_everything():
    registration = make_registration()
    EmailAddress.objects.create(user=registration.delegate, email=registration.delegate.email)
    Group.objects.create(name="Volunteers")
    assert OutgoingEmail.objects.exists()
    return registration


def actions_of(model, rf, user) -> list[str]:
    request = rf.get("/")
    request.user = user
    return list(admin.site._registry[model].get_actions(request))


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_action_with_garbage_ids_answers_400_and_changes_nothing(
    model, superuser_client, one_of_everything, rf
):
    actions = actions_of(model, rf, User.objects.get(email="root@example.com"))
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    valid_pk = model.objects.order_by("pk").values_list("pk", flat=True).first()
    before = snapshot()

    for action in actions:
        for garbage in GARBAGE_IDS:
            selection = [garbage] if valid_pk is None else [str(valid_pk), garbage]
            response = superuser_client.post(
                url, {"action": action, "index": "0", "_selected_action": selection}
            )

            assert response.status_code == 400, (action, garbage)
            assert "nothing was changed" in response.content.decode()

    assert snapshot() == before


def test_the_actions_posted_above_include_every_custom_action(one_of_everything, rf):
    """The test above cannot pass by posting nothing: these are the actions it exercises."""
    superuser = make_user("root@example.com", is_staff=True, is_superuser=True)

    offered = {model: set(actions_of(model, rf, superuser)) for model in admin.site._registry}

    assert offered[Registration] >= {
        "approve_selected",
        "reject_selected",
        "promote_selected",
        "cancel_selected",
        "resend_email_selected",
        "check_in_selected",
    }
    assert "resend" in offered[OutgoingEmail]
    assert "make_verified" in offered[EmailAddress]
    assert "delete_selected" in offered[Group]
    assert "delete_selected" in offered[User]
