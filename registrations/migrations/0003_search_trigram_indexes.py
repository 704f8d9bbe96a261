"""Trigram indexes for the admin's search on PostgreSQL.

The admin searches with `icontains`, which PostgreSQL runs as `UPPER(col::text) LIKE
UPPER('%term%')`: a B-tree cannot help with a leading wildcard, so at 100,000 registrations
every search read the whole table. A GIN trigram index on the same expression serves it.

PostgreSQL only (the embedded SQLite default has no such index type), so these are created
by SQL here rather than declared in the model's Meta; `pg_trgm` is a trusted extension the
database owner may create.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

SEARCHED = ("reference", "first_name", "last_name", "email", "organisation")


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS registration_{column}_trgm_idx "
            f"ON registrations_registration USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS registration_{column}_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0002_admin_filters_and_resend")]

    operations = [
        TrigramExtension(),
        migrations.RunPython(create_indexes, drop_indexes),
    ]
