"""Who may do what in the registration admin, by every URL: anonymous, a delegate, an
organiser of forum A, an organiser of forum B (also one given change rights, to show the
scoping does not rest on permissions), the secretariat and a superuser. The target is always
a registration of forum A. Each row names the exact outcome: the status code, where a
redirect goes, and whether the data changed."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from registrations.models import DelegateCategory, Registration
from tests.factories import make_category, make_delegate, make_registration

from .conftest import (
    ADMIN_INDEX,
    CHANGELIST,
    LOGIN,
    ON_BEHALF,
    change_form_data,
    change_url,
    client_for,
)

pytestmark = pytest.mark.django_db

EVERYONE = (
    "anonymous",
    "delegate",
    "organiser_a",
    "organiser_b",
    "organiser_b_editor",
    "secretariat",
    "superuser",
)


@pytest.fixture
def everyone(people, world):
    """`people` plus an organiser of forum B holding the secretariat's registration rights
    (change, add) but not `view_all_forums`."""
    from .conftest import make_staff

    editor = make_staff("org-b-editor@example.com", forums=[world.forum_b])
    editor.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="registrations",
            codename__in=["view_registration", "change_registration", "add_registration"],
        )
    )
    return {**people, "organiser_b_editor": editor}


@dataclass
class Target:
    registration: Registration

    def state(self):
        registration = Registration.objects.get(pk=self.registration.pk)
        return (
            registration.status,
            registration.organisation,
            registration.checked_in_at,
            registration.history.count(),
        )


def _waitlisted_in_a(world) -> Registration:
    """A waitlisted registration in forum A with a place free for it (for "promote")."""
    waiting = make_category(world.event_a, name_en="Waiting list", capacity=0)
    registration = make_registration(waiting, delegate=make_delegate("wait@example.com"))
    assert registration.status == Registration.Status.WAITLISTED
    DelegateCategory.objects.filter(pk=waiting.pk).update(capacity=1)  # arrange, no promotion
    return registration


def _action(name, target_name, **extra):
    def run(client, world):
        target = _target(world, target_name)
        data = {"action": name, "_selected_action": [target.pk], "index": "0", **extra}
        return client.post(CHANGELIST, data), target

    return run


def _target(world, name):
    if name == "waitlisted":
        return _waitlisted_in_a(world)
    return getattr(world, name)


def _get(url_of):
    def run(client, world):
        target = world.confirmed_a
        return client.get(url_of(target)), target

    return run


def _change_post(client, world):
    target = world.confirmed_a
    data = change_form_data(target, organisation="Corrected Organisation Ltd")
    return client.post(change_url(target), data), target


def _on_behalf_post(client, world):
    data = {
        "event": world.event_a.pk,
        "category": world.delegates_a.pk,
        "email": "vip@example.com",
        "first_name": "Victor",
        "last_name": "Important",
        "language": "en",
        "consent_privacy": "on",
    }
    response = client.post(ON_BEHALF, data)
    return response, None


OPERATIONS = {
    "changelist": _get(lambda target: CHANGELIST),
    "change page": _get(change_url),
    "history page": _get(lambda target: f"{CHANGELIST}{target.pk}/history/"),
    "change POST": _change_post,
    "approve": _action("approve_selected", "pending_a"),
    "reject page": _action("reject_selected", "pending_a"),
    "reject": _action("reject_selected", "pending_a", apply="yes", reason="No seats left"),
    "promote": _action("promote_selected", "waitlisted"),
    "cancel": _action("cancel_selected", "confirmed_a"),
    "resend e-mail": _action("resend_email_selected", "confirmed_a"),
    "check in": _action("check_in_selected", "confirmed_a"),
    "on-behalf GET": lambda client, world: (client.get(ON_BEHALF), None),
    "on-behalf POST": _on_behalf_post,
}

# Outcomes: (status, where a redirect goes, what happened).
# "A", "B", "A+B": the changelist lists forum A's and/or forum B's registrations.
# "read-only" / "editable": the change page has no / a Save button.
# "changed" / "unchanged": the target registration (status, details, check-in, history).
# "form": the reject page asks for the reason; "no form": the changelist came back instead.
# "registered" / "not registered": the on-behalf POST created the registration or not.
LOGIN_REDIRECT = (302, LOGIN, "unchanged")
DENIED = (403, None, "unchanged")
MISSING = (302, ADMIN_INDEX, "unchanged")  # Django's answer for an object that does not exist
ACTION_DONE = (302, CHANGELIST, "changed")
NO_ACTIONS = (200, None, "unchanged")  # no actions offered: the changelist is shown again
OUT_OF_SCOPE_ACTION = (302, CHANGELIST, "unchanged")  # "0 ... approved": not in the queryset

ANONYMOUS_OR_DELEGATE = dict.fromkeys(OPERATIONS, LOGIN_REDIRECT)
SECRETARIAT_OR_SUPERUSER = {
    "changelist": (200, None, "A+B"),
    "change page": (200, None, "editable"),
    "history page": (200, None, "unchanged"),
    "change POST": (302, CHANGELIST, "changed"),
    "approve": ACTION_DONE,
    "reject page": (200, None, "form"),
    "reject": ACTION_DONE,
    "promote": ACTION_DONE,
    "cancel": ACTION_DONE,
    "resend e-mail": ACTION_DONE,
    "check in": ACTION_DONE,
    "on-behalf GET": (200, None, "unchanged"),
    "on-behalf POST": (302, CHANGELIST, "registered"),
}
ACTIONS = ("approve", "reject page", "reject", "promote", "cancel", "resend e-mail", "check in")

EXPECTED = {
    "anonymous": ANONYMOUS_OR_DELEGATE,
    "delegate": ANONYMOUS_OR_DELEGATE,
    "organiser_a": {
        "changelist": (200, None, "A"),
        "change page": (200, None, "read-only"),
        "history page": (200, None, "unchanged"),
        "change POST": DENIED,
        **dict.fromkeys(ACTIONS, NO_ACTIONS),
        "reject page": (200, None, "no form"),
        "on-behalf GET": DENIED,
        "on-behalf POST": (403, None, "not registered"),
    },
    "organiser_b": {
        "changelist": (200, None, "B"),
        "change page": MISSING,
        "history page": MISSING,
        "change POST": DENIED,  # Django checks the change permission before the object
        **dict.fromkeys(ACTIONS, NO_ACTIONS),
        "reject page": (200, None, "no form"),
        "on-behalf GET": DENIED,
        "on-behalf POST": (403, None, "not registered"),
    },
    "organiser_b_editor": {
        "changelist": (200, None, "B"),
        "change page": MISSING,
        "history page": MISSING,
        "change POST": MISSING,
        **dict.fromkeys(ACTIONS, OUT_OF_SCOPE_ACTION),
        # The selection is empty once scoped: "0 rejected" without asking for a reason.
        "reject page": OUT_OF_SCOPE_ACTION,
        "on-behalf GET": (200, None, "unchanged"),
        # Forum A's event is not among the choices: the form comes back with an error (400).
        "on-behalf POST": (400, None, "not registered"),
    },
    "secretariat": SECRETARIAT_OR_SUPERUSER,
    "superuser": SECRETARIAT_OR_SUPERUSER,
}

CASES = [
    (operation, who, *EXPECTED[who][operation]) for who in EVERYONE for operation in OPERATIONS
]


@pytest.mark.parametrize(("operation", "who", "status", "location", "effect"), CASES)
def test_permission_matrix(everyone, world, operation, who, status, location, effect):
    client = client_for(everyone[who])

    response, target = OPERATIONS[operation](client, world)

    assert response.status_code == status, response
    if location is not None:
        assert response["Location"].startswith(location), response["Location"]
    _assert_effect(response, world, target, effect)


def _assert_effect(response, world, target, effect):
    page = response.content.decode() if response.status_code == 200 else ""
    refs_a = (world.pending_a.reference, world.confirmed_a.reference)
    ref_b = world.registration_b.reference
    if effect in ("A", "B", "A+B"):
        assert all(ref in page for ref in refs_a) == ("A" in effect)
        assert (ref_b in page) == ("B" in effect)
    elif effect in ("read-only", "editable"):
        assert ('name="_save"' in page) == (effect == "editable")
        assert world.confirmed_a.reference in page
    elif effect in ("form", "no form"):
        assert ('name="reason"' in page) == (effect == "form")
        _assert_unchanged(target)
    elif effect in ("registered", "not registered"):
        created = Registration.objects.filter(email="vip@example.com").exists()
        assert created == (effect == "registered")
    elif effect == "changed":
        assert _changed(target)
    elif effect == "unchanged" and target is not None:
        _assert_unchanged(target)


def _changed(target) -> bool:
    return Target(target).state() != _original_state(target)


def _assert_unchanged(target) -> None:
    assert Target(target).state() == _original_state(target)


def _original_state(target):
    """The state every target had when the fixture made it: nothing but its registration
    history row (the waitlisted one too), no check-in, the profile's organisation."""
    return (target.status, target.organisation, target.checked_in_at, 1)


# Special personal data: passport name, nationality, phone, dietary and accessibility needs.
# The Secretariat group holds `accounts.view_special_personal_data`, the Organiser group not.

SPECIAL = {
    "latin_name": "Conrad Quixotic",
    "nationality": "NZ",
    "phone": "+77015550199",
    "dietary_needs": "Strictly kosher meals",
    "accessibility_needs": "Step-free access please",
}
# How each value shows on a page (the nationality by its country's name).
SPECIAL_SHOWN = ("Conrad Quixotic", "New Zealand", "5550199", "Strictly kosher meals",
                 "Step-free access please")  # fmt: skip
SPECIAL_SEES = {"organiser_a": False, "secretariat": True, "superuser": True}


@pytest.fixture
def corrected(everyone, world):
    """Forum A's confirmed registration with its special personal data corrected by the
    secretariat: the values are on the registration and, old → new, in its history."""
    from registrations.services import update_registration_details

    update_registration_details(
        world.confirmed_a,
        acting_user=everyone["secretariat"],
        visa_letter_needed=True,
        **SPECIAL,
    )
    return world.confirmed_a


def _shown_values(page: str) -> set[str]:
    return {value for value in SPECIAL_SHOWN if value in page}


@pytest.mark.parametrize(("who", "sees"), SPECIAL_SEES.items())
def test_change_page_shows_special_personal_data_only_with_the_permission(
    everyone, corrected, who, sees
):
    response = client_for(everyone[who]).get(change_url(corrected))

    page = response.content.decode()
    assert response.status_code == 200
    assert corrected.reference in page
    # Neither the fields nor the history's old → new values.
    assert _shown_values(page) == (set(SPECIAL_SHOWN) if sees else set())
    for name in SPECIAL:
        assert (f"field-{name}" in page) == sees, name
    assert ("(hidden: special personal data)" in page) == (not sees)
    assert "field-organisation" in page and "field-visa_letter_needed" in page


@pytest.mark.parametrize(("who", "sees"), SPECIAL_SEES.items())
def test_changelist_shows_the_phone_column_only_with_the_permission(everyone, corrected, who, sees):
    response = client_for(everyone[who]).get(CHANGELIST)

    page = response.content.decode()
    assert response.status_code == 200
    assert corrected.reference in page
    assert ("column-phone" in page) == sees
    assert ("5550199" in page) == sees


@pytest.mark.parametrize(("who", "sees"), SPECIAL_SEES.items())
@pytest.mark.parametrize(
    "lookup",
    [
        {"dietary_needs__icontains": "kosher"},
        {"phone__startswith": "+7701555"},
        {"nationality__exact": "NZ"},
        {"latin_name__icontains": "Quixotic"},
        {"accessibility_needs__icontains": "step-free"},
    ],
)
def test_changelist_filters_by_special_personal_data_only_with_the_permission(
    everyone, corrected, world, who, sees, lookup
):
    client = client_for(everyone[who])
    client.raise_request_exception = False

    response = client.get(CHANGELIST, lookup)

    if sees:
        page = response.content.decode()
        assert response.status_code == 200
        assert corrected.reference in page
        assert world.pending_a.reference not in page
    else:
        # Row by row, a filter would reveal the values: refused like any lookup Django
        # does not allow.
        assert response.status_code == 400
        assert corrected.reference.encode() not in response.content
