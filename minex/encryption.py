"""Field-level encryption for personal data at rest (passport details), with key rotation.

A value is stored as a Fernet token (AES-128-CBC with an HMAC-SHA256, a timestamp and a
random IV) in a text column, so a raw SELECT, a database dump or a replica shows no
plaintext. The keys come from the environment, `FIELD_ENCRYPTION_KEYS`: comma-separated
Fernet keys (`python -c "from cryptography.fernet import Fernet;
print(Fernet.generate_key().decode())"`). The first key encrypts; every key decrypts
(`cryptography`'s MultiFernet). To rotate: put a new key first and keep the old ones after
it, deploy, run `manage.py rotate_field_encryption` (re-encrypts every encrypted field with
the first key), then drop the old keys.

Because each encryption uses a fresh IV, equal values give different tokens: an encrypted
column cannot be searched, filtered on or made unique by value. Only `isnull` (and the
empty string, stored as is) mean anything to the database.
"""

import datetime
import functools
import logging
from collections.abc import Iterator

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class DecryptionError(Exception):
    """A stored token no configured key can open (a key was dropped before rotation)."""


@functools.lru_cache(maxsize=8)
def _multi_fernet(keys: tuple[str, ...]) -> MultiFernet:
    if not keys:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS is empty: set it to one or more Fernet keys."
        )
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        # Never echo a key: it may be a real one with a typo.
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from error


def _fernet() -> MultiFernet:
    # Keyed by the setting's value, so override_settings (and a changed environment) take effect.
    return _multi_fernet(tuple(settings.FIELD_ENCRYPTION_KEYS))


def check_keys(keys: list[str]) -> None:
    """Raise ImproperlyConfigured unless `keys` is a non-empty list of valid Fernet keys."""
    _multi_fernet(tuple(keys))


def encrypt_text(value: str) -> str:
    """A Fernet token for `value` under the first key."""
    return _fernet().encrypt(value.encode()).decode("ascii")


def decrypt_text(token: str) -> str:
    """The plaintext of a token made by any configured key."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError) as error:
        raise DecryptionError(
            "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS "
            "(was a key removed before `rotate_field_encryption` ran?)."
        ) from error


def rotate_token(token: str) -> str:
    """The same plaintext encrypted again under the first key."""
    try:
        return _fernet().rotate(token.encode("ascii")).decode("ascii")
    except InvalidToken as error:
        raise DecryptionError("A stored value cannot be decrypted for rotation.") from error


class EncryptedFieldMixin:
    """Stores the Python value as a Fernet token in a text column.

    `None` stays NULL and "" stays "" (an unset value says nothing worth hiding, and the
    retention wipe sets fields to these). Lookups other than `isnull` and `exact` with ""
    cannot match (tokens differ each time).
    """

    def get_internal_type(self):
        return "TextField"

    def to_plaintext(self, value) -> str:
        return str(value)

    def from_plaintext(self, text: str):
        return text

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt_text(self.to_plaintext(value))

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return self.from_plaintext(decrypt_text(value))


class EncryptedTextField(EncryptedFieldMixin, models.TextField):
    """A text value (a passport number, a place of birth) encrypted at rest."""

    description = _("Text (encrypted)")


class EncryptedDateField(EncryptedFieldMixin, models.DateField):
    """A date (of birth, of a passport's issue) encrypted at rest; a `datetime.date` in Python."""

    description = _("Date (encrypted)")

    def to_plaintext(self, value) -> str:
        return value.isoformat()

    def from_plaintext(self, text: str):
        return datetime.date.fromisoformat(text)

    def get_prep_value(self, value):
        value = models.DateField.to_python(self, value)
        if value is None:
            return None
        return encrypt_text(self.to_plaintext(value))

    def get_db_prep_value(self, value, connection, prepared=False):
        # DateField's version would format the token as a date.
        if not prepared:
            value = self.get_prep_value(value)
        return value


def encrypted_fields() -> Iterator[tuple[type[models.Model], list[models.Field]]]:
    """Every concrete model with encrypted fields, and those fields."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedFieldMixin)]
        if fields:
            yield model, fields


def rotate_encrypted_fields(*, batch_size: int = 500) -> dict[str, int]:
    """Re-encrypt every encrypted field of every row under the first key.

    Reads the stored tokens as they are (no decryption into Python objects) and writes back
    `MultiFernet.rotate`'s token, batch by batch, each batch in its own transaction with its
    rows locked, so a row written meanwhile by a service is not overwritten with a stale value.
    Returns {model label: rows rewritten}. Run after putting a new key first; afterwards the
    old keys can be removed."""
    counts = {}
    for model, fields in encrypted_fields():
        table = model._meta.db_table
        pk_column = model._meta.pk.column
        columns = [field.column for field in fields]
        counts[model._meta.label] = 0
        last_pk = None
        while True:
            with transaction.atomic():
                queryset = model._base_manager.order_by("pk").select_for_update()
                if last_pk is not None:
                    queryset = queryset.filter(pk__gt=last_pk)
                pks = list(queryset.values_list("pk", flat=True)[:batch_size])
                if not pks:
                    break
                quoted = ", ".join(connection.ops.quote_name(column) for column in columns)
                with connection.cursor() as cursor:
                    cursor.execute(
                        f"SELECT {connection.ops.quote_name(pk_column)}, {quoted} "  # noqa: S608
                        f"FROM {connection.ops.quote_name(table)} "
                        f"WHERE {connection.ops.quote_name(pk_column)} IN "
                        f"({', '.join(['%s'] * len(pks))})",
                        pks,
                    )
                    rows = cursor.fetchall()
                    assignments = ", ".join(
                        f"{connection.ops.quote_name(column)} = %s" for column in columns
                    )
                    for pk, *tokens in rows:
                        cursor.execute(
                            f"UPDATE {connection.ops.quote_name(table)} SET {assignments} "  # noqa: S608
                            f"WHERE {connection.ops.quote_name(pk_column)} = %s",
                            [*(rotate_token(t) if t else t for t in tokens), pk],
                        )
                counts[model._meta.label] += len(rows)
                last_pk = pks[-1]
    return counts
