import datetime

import pytest
from django.db import IntegrityError
from django.test import override_settings
from django.utils import timezone, translation

from tests.factories import make_event, make_forum

pytestmark = pytest.mark.django_db


def test_event_ending_before_it_starts_is_refused_by_the_database():
    start = datetime.date(2027, 4, 15)
    with pytest.raises(IntegrityError):
        make_event(start_date=start, end_date=start - datetime.timedelta(days=1))


def test_one_day_event_is_accepted():
    start = datetime.date(2027, 4, 15)
    event = make_event(start_date=start, end_date=start)
    assert event.pk


def test_registration_closing_before_it_opens_is_refused_by_the_database():
    now = timezone.now()
    with pytest.raises(IntegrityError):
        make_event(registration_opens_at=now, registration_closes_at=now - datetime.timedelta(1))


def test_edition_number_is_unique_within_a_forum():
    forum = make_forum()
    make_event(forum, edition_number=12)
    with pytest.raises(IntegrityError):
        make_event(forum, edition_number=12)


def test_same_edition_number_is_fine_in_another_forum():
    make_event(make_forum(), edition_number=10)
    assert make_event(make_forum(), edition_number=10).pk


def test_event_slug_is_unique():
    make_event(slug="minex-europe-2026")
    with pytest.raises(IntegrityError):
        make_event(slug="minex-europe-2026")


def test_untranslated_text_falls_back_to_english():
    event = make_event(title_en="MINEX Europe 2026", title_ru="MINEX Europe 2026 (ru)", title_kk="")
    event.refresh_from_db()
    with translation.override("kk"):
        assert event.title == "MINEX Europe 2026"
    with translation.override("ru"):
        assert event.title == "MINEX Europe 2026 (ru)"


def test_translated_text_is_used_in_each_language():
    forum = make_forum(name_en="MINEX Asia", name_ru="МИНЕКС Азия", name_kk="МИНЕКС Азия (kk)")
    forum.refresh_from_db()
    for language, expected in [
        ("en", "MINEX Asia"),
        ("ru", "МИНЕКС Азия"),
        ("kk", "МИНЕКС Азия (kk)"),
    ]:
        with translation.override(language):
            assert forum.name == expected


@override_settings(SECRETARIAT_EMAIL="secretariat@minexforum.com")
def test_secretariat_address_falls_back_from_event_to_forum_to_global():
    forum = make_forum(secretariat_email="")
    event = make_event(forum, secretariat_email="")
    assert event.secretariat_address == "secretariat@minexforum.com"
    forum.secretariat_email = "europe@minexforum.com"
    assert event.secretariat_address == "europe@minexforum.com"
    event.secretariat_email = "dublin@minexforum.com"
    assert event.secretariat_address == "dublin@minexforum.com"


def test_registration_state_follows_the_window_and_the_status():
    now = timezone.now()
    event = make_event(
        registration_opens_at=now + datetime.timedelta(days=1),
        registration_closes_at=now + datetime.timedelta(days=5),
    )
    assert event.registration_state(now) == "not_yet_open"
    assert event.registration_state(now + datetime.timedelta(days=2)) == "open"
    assert event.registration_state(now + datetime.timedelta(days=5)) == "closed"
    event.status = event.Status.DRAFT
    assert event.registration_state(now + datetime.timedelta(days=2)) == "closed"


def test_unknown_time_zone_is_refused_by_validation():
    from django.core.exceptions import ValidationError

    event = make_event()
    event.time_zone = "Mars/Olympus_Mons"
    with pytest.raises(ValidationError) as error:
        event.full_clean()
    assert "time_zone" in error.value.message_dict
