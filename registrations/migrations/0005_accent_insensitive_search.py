"""Case- and accent-insensitive admin search on PostgreSQL, still through trigram indexes.

The secretariat types names as they hear them: "muller" for Müller, "ахметова" for Ахметова.
`unaccent` strips the accents, but PostgreSQL marks it STABLE (its dictionary could change),
and an index expression must be IMMUTABLE: `f_unaccent` wraps it with the dictionary fixed.
Its body is SQL-standard (`RETURN`), so the names in it are resolved now, whatever a later
session's search_path. The trigram indexes of 0003 (on `UPPER(col)`, Django's `icontains`)
are replaced by indexes on `f_unaccent(lower(col))`, the expression
`registrations.admin.search` compares, so a search is still an index scan at 100,000 rows.

PostgreSQL only, like 0003: on SQLite (the embedded demo) the admin keeps `icontains`.
"""

from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

SEARCHED = ("reference", "first_name", "last_name", "email", "organisation")

CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION f_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN unaccent('unaccent'::regdictionary, $1)
"""


def unaccented_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS registration_{column}_trgm_idx")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS registration_{column}_unaccent_idx "
            f"ON registrations_registration USING gin (f_unaccent(lower({column})) gin_trgm_ops)"
        )


def upper_case_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for column in SEARCHED:
        schema_editor.execute(f"DROP INDEX IF EXISTS registration_{column}_unaccent_idx")
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS registration_{column}_trgm_idx "
            f"ON registrations_registration USING gin (UPPER({column}::text) gin_trgm_ops)"
        )
    schema_editor.execute("DROP FUNCTION IF EXISTS f_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("registrations", "0004_category_name_translations")]

    operations = [
        UnaccentExtension(),
        migrations.RunPython(unaccented_indexes, upper_case_indexes),
    ]
