"""Inserting many rows fast: PostgreSQL's COPY, with the ids drawn from the table's sequence
first, so the caller gets them in order (as ``bulk_create`` gives them); ``bulk_create``
elsewhere (SQLite, the embedded default).

For tens of thousands of rows (a mailing's outbox rows), ``bulk_create`` spends most of its
time composing one huge parameterised INSERT; COPY streams the values instead, several
times faster here. Model ``save()`` and signals are skipped, as with ``bulk_create``.
"""

from django.db import connection, models


def insert_rows(objs: list[models.Model], *, batch_size: int = 2000) -> list[models.Model]:
    """Insert ``objs`` (all of one model, without ids) and set their ids; return them."""
    if not objs:
        return objs
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=batch_size)
    meta = model._meta
    table = meta.db_table
    fields = [field for field in meta.concrete_fields if not field.primary_key]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, meta.pk.column, len(objs)],
        )
        for obj, (pk,) in zip(objs, cursor.fetchall(), strict=True):
            obj.pk = pk
        columns = ", ".join(
            connection.ops.quote_name(column)
            for column in [meta.pk.column, *(field.column for field in fields)]
        )
        statement = f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN"
        values = [_value_getter(field) for field in fields]
        with cursor.cursor.copy(statement) as copy:
            for obj in objs:
                copy.write_row([obj.pk, *(value(obj) for value in values)])
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def _value_getter(field):
    """How to read ``field``'s database value from an object: its attribute as it is for
    plain values (psycopg adapts text, numbers, booleans, dates and bytes itself), through
    the field for the rest (JSON, and the auto_now timestamps its pre_save sets)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)
    if isinstance(field, models.JSONField):
        return lambda obj: field.get_db_prep_save(getattr(obj, field.attname), connection)
    attname = field.attname
    return lambda obj: getattr(obj, attname)
