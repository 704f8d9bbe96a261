"""Passport data is encrypted at rest: the database holds Fernet tokens, the application reads
plain values, and a key rotation re-encrypts everything so the old key can go."""

import datetime

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from tests.factories import PASSPORT, make_visa_request
from visas.models import VisaRequest

pytestmark = pytest.mark.django_db


def _raw_row(request_id: int) -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM visas_visarequest WHERE id = %s", [request_id])
        columns = [column.name for column in cursor.description]
        return dict(zip(columns, cursor.fetchone(), strict=True))


def test_raw_select_shows_no_passport_data():
    request = make_visa_request()

    row = _raw_row(request.pk)

    raw = " ".join(str(value) for value in row.values())
    assert PASSPORT["passport_number"] not in raw
    assert PASSPORT["surname"] not in raw
    assert PASSPORT["place_of_birth"] not in raw
    assert PASSPORT["date_of_birth"].isoformat() not in raw
    assert row["passport_number"].startswith("gAAAAA")  # a Fernet token


def test_encrypted_fields_read_back_as_entered():
    request = make_visa_request()

    again = VisaRequest.objects.get(pk=request.pk)

    assert again.passport_number == PASSPORT["passport_number"]
    assert again.surname == PASSPORT["surname"]
    assert again.date_of_birth == PASSPORT["date_of_birth"]
    assert isinstance(again.passport_expires_on, datetime.date)


def test_equal_values_give_different_tokens():
    first = make_visa_request()
    second = make_visa_request()

    assert _raw_row(first.pk)["passport_number"] != _raw_row(second.pk)["passport_number"]


def test_rotation_re_encrypts_so_the_old_key_can_be_removed(settings):
    old_key = settings.FIELD_ENCRYPTION_KEYS[0]
    request = make_visa_request()
    token_before = _raw_row(request.pk)["passport_number"]
    new_key = Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [new_key, old_key]

    call_command("rotate_field_encryption", verbosity=0)

    token_after = _raw_row(request.pk)["passport_number"]
    assert token_after != token_before
    assert (
        Fernet(new_key.encode()).decrypt(token_after.encode()).decode()
        == (PASSPORT["passport_number"])
    )
    settings.FIELD_ENCRYPTION_KEYS = [new_key]  # the old key removed
    again = VisaRequest.objects.get(pk=request.pk)
    assert again.passport_number == PASSPORT["passport_number"]
    assert again.date_of_birth == PASSPORT["date_of_birth"]


def test_without_rotation_removing_the_old_key_cannot_read(settings):
    request = make_visa_request()
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]

    from minex.encryption import DecryptionError

    with pytest.raises(DecryptionError):
        VisaRequest.objects.get(pk=request.pk)


def test_wiped_fields_stay_empty_not_encrypted():
    request = make_visa_request()
    VisaRequest.objects.filter(pk=request.pk).update(passport_number="", date_of_birth=None)

    row = _raw_row(request.pk)

    assert row["passport_number"] == ""
    assert row["date_of_birth"] is None
