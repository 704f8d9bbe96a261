"""The QR token: opaque, signed, refused when forged, garbled, signed elsewhere or reissued."""

import pytest

from badges.models import Badge, BadgeReissue
from badges.selectors import badge_for_token
from badges.services import ensure_badges, reissue_badge
from badges.tokens import BadToken, badge_token, read_badge_token
from registrations.models import Registration
from tests.factories import make_delegate, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def registration():
    return make_registration(
        delegate=make_delegate("aigerim@example.com", first_name="Aigerim", last_name="Nurlanova")
    )


def test_every_new_registration_gets_a_badge_whose_token_finds_it(registration):
    token = badge_token(registration.badge)

    assert badge_for_token(token) == registration.badge
    assert read_badge_token(token) == registration.badge.code
    assert len(token) <= 40  # a version-3 QR


def test_token_carries_no_personal_data(registration):
    token = badge_token(registration.badge)

    for detail in (registration.reference, "Aigerim", "Nurlanova", "aigerim@example.com"):
        assert detail.lower() not in token.lower()
    assert token.split(".")[0] == registration.badge.code  # random, not derived from anything


@pytest.mark.parametrize(
    "tamper",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        lambda token: ("x" if token[0] != "x" else "y") + token[1:],  # code changed
        lambda token: token[:-3],  # truncated
        lambda token: token.replace(".", ""),  # no separator
        lambda token: token + "==",
        lambda token: "",
        lambda token: "MX26-AST-7K3QF",  # a reference typed into the scanner
        lambda token: "€" * 39,
    ],
)
def test_forged_or_garbled_tokens_are_refused(registration, tamper):
    token = tamper(badge_token(registration.badge))

    with pytest.raises(BadToken):
        read_badge_token(token)
    with pytest.raises(BadToken):
        badge_for_token(token)


def test_a_token_signed_with_another_key_is_refused_and_an_old_key_still_read(
    registration, settings
):
    token = badge_token(registration.badge)
    settings.SECRET_KEY = "another-portal-secret-key-of-sufficient-length-0123456789"

    with pytest.raises(BadToken):
        read_badge_token(token)
    settings.SECRET_KEY_FALLBACKS = ["an-unrelated-old-key-of-sufficient-length-0123456789"]
    with pytest.raises(BadToken):
        read_badge_token(token)


def test_rotating_the_secret_key_keeps_printed_badges_valid(registration, settings):
    old_key = settings.SECRET_KEY
    token = badge_token(registration.badge)
    settings.SECRET_KEY = "a-rotated-portal-secret-key-of-sufficient-length-0123456789"
    settings.SECRET_KEY_FALLBACKS = [old_key]

    assert read_badge_token(token) == registration.badge.code


def test_a_reissued_badge_refuses_its_old_token_and_accepts_the_new(registration):
    staff = make_delegate("desk@example.com")
    old_token = badge_token(registration.badge)

    badge = reissue_badge(registration.badge, acting_user=staff, reason="Lost at the gala")

    with pytest.raises(BadToken):
        badge_for_token(old_token)
    assert badge_for_token(badge_token(badge)) == badge
    assert badge.reissued_count == 1
    entry = BadgeReissue.objects.get(badge=badge)
    assert (entry.reissued_by, entry.reason) == (staff, "Lost at the gala")


def test_ensure_badges_gives_older_registrations_a_badge_once(registration):
    Badge.objects.filter(registration=registration).delete()

    assert ensure_badges(registration.event) == 1
    assert ensure_badges(registration.event) == 0
    assert Registration.objects.get(pk=registration.pk).badge.code
