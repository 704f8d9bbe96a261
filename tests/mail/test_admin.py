"""The outbox in the admin: list, filters, search, resend action, configuration-fault alert."""

import pytest
from django.contrib import admin
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from mail.models import OutgoingEmail
from mail.services import deliver_emails

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
CHANGELIST = "admin:mail_outgoingemail_changelist"


@pytest.fixture
def staff_client(client, django_user_model):
    admin = django_user_model.objects.create_superuser("admin@example.com", "pw")
    client.force_login(admin)
    return client


def _changelist(client, **params):
    return client.get(reverse(CHANGELIST), params)


def test_admin_outbox_changelist_query_count_does_not_grow_with_rows(
    staff_client, queue_test_message
):
    queue_test_message(to="first@example.com")
    with CaptureQueriesContext(connection) as one_row:
        assert _changelist(staff_client).status_code == 200
    queue_test_message(to="second@example.com")
    queue_test_message(to="third@example.com")

    with CaptureQueriesContext(connection) as three_rows:
        response = _changelist(staff_client)

    assert response.status_code == 200
    assert b"third@example.com" in response.content
    assert len(three_rows) == len(one_row)


def test_admin_outbox_filters_by_status_and_kind_and_searches_recipient(
    staff_client, queue_test_message, smtp_server
):
    smtp_server.replies["gone@example.com"] = "550 No such user"
    failed = queue_test_message(to="gone@example.com")
    deliver_emails([failed.pk])
    queue_test_message(to="waiting@example.com")

    by_status = _changelist(staff_client, status__exact="failed").content.decode()
    by_kind = _changelist(staff_client, kind__exact="mail.test").content.decode()
    by_search = _changelist(staff_client, q="waiting@").content.decode()

    assert "gone@example.com" in by_status and "waiting@example.com" not in by_status
    assert "550 No such user" in by_status  # the failure reason is on the list
    assert "gone@example.com" in by_kind and "waiting@example.com" in by_kind
    assert "waiting@example.com" in by_search and "gone@example.com" not in by_search


def test_admin_outbox_detail_is_read_only(staff_client, queue_test_message):
    email = queue_test_message(note="<b>bold</b>")
    url = reverse("admin:mail_outgoingemail_change", args=[email.pk])

    page = staff_client.get(url)
    post = staff_client.post(url, {"recipient": "attacker@example.com"})

    assert page.status_code == 200
    assert b"&lt;b&gt;bold&lt;/b&gt;" in page.content  # bodies shown as text, never rendered
    assert post.status_code == 403
    email.refresh_from_db()
    assert email.recipient == "delegate@example.com"


def test_admin_resend_action_requeues_failed_and_copies_sent(
    staff_client, queue_test_message, smtp_server, django_capture_on_commit_callbacks
):
    smtp_server.replies["gone@example.com"] = "550 No such user"
    failed = queue_test_message(to="gone@example.com")
    deliver_emails([failed.pk])
    sent = queue_test_message(to="sent@example.com")
    deliver_emails([sent.pk])
    del smtp_server.replies["gone@example.com"]  # the mailbox was fixed meanwhile

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse(CHANGELIST),
            {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )

    text = response.content.decode()
    assert "1 e-mail queued to be sent again." in text
    assert "1 e-mail had already been sent; a copy is queued." in text
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (Status.SENT, 1)
    copy = OutgoingEmail.objects.get(resent_from=sent)
    assert copy.status == Status.SENT
    assert copy.message_id != sent.message_id
    assert sorted(m["To"] for m in smtp_server.messages) == [
        "gone@example.com",
        "sent@example.com",
        "sent@example.com",
    ]
    # The copy went out as a message of its own, under its own Message-ID.
    sent_twice = [m["Message-ID"] for m in smtp_server.messages if m["To"] == "sent@example.com"]
    assert sorted(sent_twice) == sorted([sent.message_id, copy.message_id])


def test_admin_changelist_alerts_on_configuration_fault(
    staff_client, queue_test_message, smtp_server_rejecting_logins
):
    email = queue_test_message()
    deliver_emails([email.pk])

    response = _changelist(staff_client)

    text = response.content.decode()
    assert "stopped by a mail configuration fault" in text
    assert "E-mails waiting: 1;" in text
    assert "SMTPAuthenticationError" in text
    assert mail.outbox == []


def test_admin_changelist_has_no_alert_without_fault(staff_client, queue_test_message):
    queue_test_message()

    response = _changelist(staff_client)

    assert "stopped by a mail configuration fault" not in response.content.decode()


def test_admin_outbox_changelist_reads_newest_first_through_an_index(
    staff_client, queue_test_message, monkeypatch
):
    # The outbox grows twice as fast as registrations: the default page (newest first) must
    # be read in order from an index, not sorted from a scan of every row. With sequential
    # scans disabled, the planner shows which index it would use on a large table.
    monkeypatch.setattr(admin.site._registry[OutgoingEmail], "list_per_page", 2)  # paginated
    for n in range(3):
        queue_test_message(to=f"delegate{n}@example.com")
    with CaptureQueriesContext(connection) as queries:
        assert _changelist(staff_client).status_code == 200
    [page_query] = [
        query["sql"]
        for query in queries.captured_queries
        if 'FROM "mail_outgoingemail"' in query["sql"] and " LIMIT " in query["sql"]
    ]

    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        try:
            cursor.execute("EXPLAIN " + page_query)
            plan = "\n".join(row[0] for row in cursor.fetchall())
        finally:
            cursor.execute("RESET enable_seqscan")

    assert "Index Scan" in plan and "mail_outgoing_created_idx" in plan, plan
    assert "Sort" not in plan, plan
