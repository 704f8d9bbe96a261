"""Migration 0003 protects the rows an outbox already holds: allauth's credentials queued
before it are marked secret (and wiped once delivered), and rows "sending" get a lease."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("mail", "0002_outgoingemail_dispatched_until")]
AFTER = [("mail", "0003_secret_mail_and_outbox_order_index")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def back_to_latest_afterwards():
    yield
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_migration_marks_existing_credentials_secret_and_leases_sending_rows(
    back_to_latest_afterwards,
):
    old_apps = _migrate(BEFORE)
    OutgoingEmail = old_apps.get_model("mail", "OutgoingEmail")
    claimed_at = timezone.now() - datetime.timedelta(seconds=30)

    def row(kind, status, **fields):
        return OutgoingEmail.objects.create(
            recipient="root@example.com",
            language="en",
            kind=kind,
            subject="s",
            body_text="https://portal.example/en/accounts/password/reset/key/1-secret/",
            message_id=f"<{kind}.{status}@example.com>",
            status=status,
            sent_at=timezone.now() if status == "sent" else None,
            **fields,
        ).pk

    sent_reset = row("account.password_reset_key", "sent")
    queued_code = row("account.login_code", "queued")
    sent_notice = row("registration.confirmed", "sent")
    sending = row("registration.confirmed", "sending")
    OutgoingEmail.objects.filter(pk=sending).update(updated_at=claimed_at)

    new_apps = _migrate(AFTER)

    rows = new_apps.get_model("mail", "OutgoingEmail").objects.in_bulk()
    assert (rows[sent_reset].secret, rows[sent_reset].body_text) == (True, "")
    assert rows[queued_code].secret and "1-secret" in rows[queued_code].body_text
    assert not rows[sent_notice].secret and "1-secret" in rows[sent_notice].body_text
    assert rows[sending].sending_until == claimed_at + datetime.timedelta(seconds=600)


@pytest.mark.django_db
def test_an_outbox_insert_without_the_secret_column_still_works():
    """Processes still running the code before `secret` existed (a rolling deploy) insert
    rows without it: the database supplies False instead of refusing the insert."""
    from mail.models import OutgoingEmail

    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {OutgoingEmail._meta.db_table}"  # noqa: S608 - the table's own name
            " (recipient, language, kind, subject, body_text, body_html, reply_to, message_id,"
            " attachments, related_id, status, attempts, next_attempt_at, fault, last_error,"
            " created_at, updated_at)"
            " VALUES ('a@example.com', 'en', 'mail.test', 's', 'b', '', '', '<old@example.com>',"
            " '[]', '', 'queued', 0, now(), '', '', now(), now())"
        )
    assert OutgoingEmail.objects.get(message_id="<old@example.com>").secret is False
