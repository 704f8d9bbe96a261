"""The permission matrix through the API: anonymous, delegate, organisers of X and Y, the
secretariat, and tokens' scopes; refusals as translated problems."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from api import services
from api.models import ApiToken, Scope
from registrations.models import Registration
from tests.factories import make_delegate

from .conftest import client_with, key_for

pytestmark = pytest.mark.django_db

LIST = "/api/v1/registrations/"


def detail(registration) -> str:
    return f"{LIST}{registration.pk}/"


def references(response) -> set[str]:
    return {row["reference"] for row in response.json()["results"]}


def test_anonymous_reads_the_public_catalogue_but_no_registration(forums):
    client = client_with()

    forums_page = client.get("/api/v1/forums/?lang=ru")
    events_page = client.get(f"/api/v1/events/{forums.event_x.slug}/", HTTP_ACCEPT_LANGUAGE="ru")
    categories = client.get(f"/api/v1/events/{forums.event_x.slug}/categories/?lang=ru")
    refused = client.get(LIST)

    assert forums_page.status_code == 200
    assert "МИНЕКС Астана" in [forum["name"] for forum in forums_page.json()]
    assert events_page.json()["title"] == "Астана 2026"
    assert [category["name"] for category in categories.json()][0] == "Делегат"
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["status"] == 401
    assert refused.json()["type"] == "about:blank"
    assert refused["WWW-Authenticate"] == "Bearer"


def test_a_draft_event_is_not_public(forums):
    forums.event_x.status = "draft"
    forums.event_x.save(update_fields=["status"])

    response = client_with().get(f"/api/v1/events/{forums.event_x.slug}/")

    assert response.status_code == 404
    assert response.json()["title"] == "Not found"


def test_a_delegate_cannot_hold_a_token(forums):
    delegate = make_delegate()

    with pytest.raises(ValidationError):
        services.create_token(
            delegate, name="x", scopes=[Scope.READ_REGISTRATIONS], acting_user=delegate
        )


def test_a_token_whose_user_left_the_staff_is_refused(forums):
    key = key_for(forums.organiser_x)
    forums.organiser_x.is_staff = False
    forums.organiser_x.save(update_fields=["is_staff"])

    response = client_with(key).get(LIST)

    assert response.status_code == 403
    assert response.json()["detail"] == "This API key does not allow this."


def test_organisers_see_only_their_forums_registrations(forums):
    client_x = client_with(key_for(forums.organiser_x))
    client_y = client_with(key_for(forums.organiser_y))

    assert references(client_x.get(LIST)) == {
        forums.registration_x.reference,
        forums.pending_x.reference,
    }
    assert references(client_y.get(LIST)) == {forums.registration_y.reference}
    assert client_x.get(detail(forums.registration_x)).status_code == 200
    assert client_x.get(detail(forums.registration_y)).status_code == 404
    assert client_y.get(detail(forums.registration_x)).status_code == 404
    # Another forum's registration is missing for writes too, not merely forbidden.
    assert client_y.post(f"{detail(forums.registration_x)}check-in/").status_code == 403


def test_an_organiser_may_not_hold_write_scopes_nor_write(forums):
    client = client_with(key_for(forums.organiser_x))

    with pytest.raises(ValidationError):
        key_for(forums.organiser_x, scopes=[Scope.WRITE_CHECK_INS])
    response = client.post(f"{detail(forums.registration_x)}check-in/")

    assert response.status_code == 403
    assert Registration.objects.get(pk=forums.registration_x.pk).checked_in_at is None


def test_organisers_do_not_see_special_personal_data_the_secretariat_does(forums):
    organiser = client_with(key_for(forums.organiser_x)).get(detail(forums.registration_x))
    secretariat = client_with(key_for(forums.secretariat)).get(detail(forums.registration_x))

    assert "phone" not in organiser.json()["columns"]
    assert "latin_name" not in organiser.json()["columns"]
    assert organiser.json()["columns"]["last_name"] == "Nurlanova"
    assert secretariat.json()["columns"]["phone"] == "+77012345678"


def test_export_columns_come_in_the_requested_language(forums):
    client = client_with(key_for(forums.secretariat))

    english = client.get(detail(forums.registration_x)).json()
    russian = client.get(detail(forums.registration_x) + "?lang=ru").json()

    assert english["status"] == russian["status"] == "confirmed"
    assert english["columns"]["status"] == "Confirmed"
    assert russian["columns"]["status"] != "Confirmed"
    assert russian["columns"]["category"] == "Делегат"
    assert russian["columns"]["country"] == "Казахстан"
    assert russian["columns"]["registered_at"].endswith(("+05:00", "+06:00"))


def test_the_secretariat_decides_and_checks_in_through_the_services(forums):
    client = client_with(key_for(forums.secretariat))

    approved = client.post(f"{detail(forums.pending_x)}approve/")
    checked_in = client.post(f"{detail(forums.registration_x)}check-in/")
    again = client.post(f"{detail(forums.registration_x)}check-in/?lang=ru")
    cancelled = client.post(
        f"{detail(forums.pending_x)}cancel/", {"reason": "Asked by phone"}, format="json"
    )
    rejected = client.post(f"{detail(forums.pending_x)}reject/", {"reason": "x"}, format="json")

    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    assert checked_in.status_code == 200 and checked_in.json()["checked_in_at"]
    assert again.status_code == 409
    assert again.json()["type"] == "urn:minex:problem:invalid-transition"
    assert again.json()["title"] == "Конфликт"
    assert again.json()["detail"].startswith("Прибытие уже отмечено: ")
    assert cancelled.json()["status"] == "cancelled"
    history = forums.pending_x.history.order_by("at", "pk").values_list("action", "reason")
    assert list(history)[-1] == ("cancelled", "Asked by phone")
    assert rejected.status_code == 409
    assert rejected.json()["detail"] == (
        "This registration is cancelled; this action is not possible."
    )


def test_a_read_only_token_of_the_secretariat_cannot_write(forums):
    client = client_with(key_for(forums.secretariat, scopes=[Scope.READ_REGISTRATIONS]))

    response = client.post(f"{detail(forums.pending_x)}approve/")

    assert response.status_code == 403
    assert Registration.objects.get(pk=forums.pending_x.pk).status == "pending"


def test_a_check_in_token_checks_in_but_does_not_approve(forums):
    client = client_with(key_for(forums.secretariat, scopes=[Scope.WRITE_CHECK_INS]))

    assert client.post(f"{detail(forums.registration_x)}check-in/").status_code == 200
    assert client.post(f"{detail(forums.pending_x)}approve/").status_code == 403
    # Reading needs its own scope.
    assert client.get(LIST).status_code == 403


def test_a_revoked_or_unknown_key_is_refused(forums):
    key = key_for(forums.secretariat)
    token = ApiToken.objects.get()
    services.revoke_token(token, acting_user=forums.secretariat)

    revoked = client_with(key).get(LIST)
    unknown = client_with("mx_not-a-key").get("/api/v1/forums/")

    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "This API key is not valid or was revoked."
    assert unknown.status_code == 401


def test_a_token_is_stored_hashed_and_its_use_noted(forums):
    key = key_for(forums.secretariat)
    token = ApiToken.objects.get()

    client_with(key).get(LIST)
    token.refresh_from_db()

    assert key not in token.key_hash and token.key_hash == services.hash_key(key)
    assert key.startswith(token.prefix)
    assert timezone.now() - token.last_used_at < timezone.timedelta(minutes=1)


def test_registering_on_behalf_through_the_api(forums, django_capture_on_commit_callbacks):
    client = client_with(key_for(forums.secretariat))
    body = {
        "event": forums.event_x.pk,
        "category": forums.approval_x.pk,
        "email": "vip@example.com",
        "first_name": "Dana",
        "last_name": "Sato",
        "consent_privacy": True,
        "approve_now": True,
    }

    with django_capture_on_commit_callbacks(execute=True):
        created = client.post(LIST, body, format="json")
    replayed = client.post(LIST, body, format="json")
    other_forum = client_with(key_for(forums.organiser_y)).post(LIST, body, format="json")
    invalid = client.post(LIST, {**body, "email": "not an address"}, format="json")
    no_consent = client.post(LIST, {**body, "consent_privacy": False}, format="json")

    assert created.status_code == 201
    assert created.json()["status"] == "confirmed"
    assert created.json()["columns"]["last_name"] == "Sato"
    assert replayed.status_code == 200 and replayed.json()["id"] == created.json()["id"]
    assert other_forum.status_code == 403
    assert invalid.status_code == 400 and "email" in invalid.json()["errors"]
    assert no_consent.status_code == 400
    assert Registration.objects.filter(email="vip@example.com").count() == 1


def test_an_organiser_of_y_cannot_register_into_x(forums):
    staff = forums.secretariat
    staff.groups.clear()
    # A secretariat-like member limited to forum Y: has the permissions, not the forum.
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["change_registration", "add_registration", "view_registration"]
        )
    )
    forums.y.organisers.add(staff)
    client = client_with(key_for(staff, scopes=[Scope.WRITE_REGISTRATIONS]))
    body = {
        "event": forums.event_x.pk,
        "category": forums.category_x.pk,
        "email": "someone@example.com",
        "first_name": "A",
        "last_name": "B",
        "consent_privacy": True,
    }

    response = client.post(LIST, body, format="json")

    assert response.status_code == 400
    assert "event" in response.json()["errors"]
    assert not Registration.objects.filter(email="someone@example.com").exists()


def test_bad_filters_are_a_400_not_a_500(forums):
    client = client_with(key_for(forums.secretariat))

    assert client.get(f"{LIST}?status=nonsense").status_code == 400
    assert client.get(f"{LIST}?created_after=yesterday").status_code == 400
    assert client.get(f"{LIST}?cursor=garbage").status_code == 404
    assert client.post(LIST, "[1, 2]", content_type="application/json").status_code == 400
    assert client.post(LIST, "{", content_type="application/json").status_code == 400


def test_filters_narrow_the_list(forums):
    client = client_with(key_for(forums.secretariat))

    pending = client.get(f"{LIST}?status=pending")
    by_event = client.get(f"{LIST}?event={forums.event_y.slug}")
    by_search = client.get(f"{LIST}?search={forums.pending_x.reference}")

    assert references(pending) == {forums.pending_x.reference}
    assert references(by_event) == {forums.registration_y.reference}
    assert references(by_search) == {forums.pending_x.reference}
