"""Mail that carries a credential (allauth's reset links, confirmation keys, sign-in codes):
nobody reads it in the outbox admin — not the secretariat, not a superuser — nobody resends it,
and its body is gone once delivered; the person it was for still gets it and can use it."""

import datetime
import io
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import Group
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from mail.models import OutgoingEmail
from mail.services import deliver_emails, queue_rendered_email, release_stuck_emails
from mail.tasks import dispatch_due_emails as dispatch_due_emails_task
from registrations.roles import SECRETARIAT

pytestmark = pytest.mark.django_db

Status = OutgoingEmail.Status
CHANGELIST = "admin:mail_outgoingemail_changelist"
RESET_PATH = re.compile(r"/[a-z]{2}/accounts/password/reset/key/(\S+?)/")
NEW_PASSWORD = "Astana-2026-secure"
HIDDEN = "Hidden: this e-mail carries a password-reset link"


def _account(email: str, **fields) -> User:
    user = User.objects.create_user(email, "a-long-test-password", **fields)
    EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@pytest.fixture
def superuser() -> User:
    return _account("root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def secretariat() -> User:
    call_command("setup_roles", stdout=io.StringIO())
    user = _account("secretariat@minexforum.com", is_staff=True)
    user.groups.add(Group.objects.get(name=SECRETARIAT))
    return user


def _client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _outbox_pages(client: Client, email: OutgoingEmail) -> str:
    pages = [
        client.get(reverse(CHANGELIST)),
        client.get(reverse(CHANGELIST), {"q": "root@"}),
        client.get(reverse("admin:mail_outgoingemail_change", args=[email.pk])),
    ]
    assert [page.status_code for page in pages] == [200, 200, 200]
    return "".join(page.content.decode() for page in pages)


def test_password_reset_for_the_superuser_is_readable_by_nobody_in_the_admin(
    client, superuser, secretariat, django_capture_on_commit_callbacks
):
    # Logged in first: a login changes last_login, which would void the reset key.
    staff_clients = [_client_for(secretariat), _client_for(superuser)]
    # Anyone may ask for a reset of any address: here, the superuser's.
    with django_capture_on_commit_callbacks(execute=False) as hand_off:
        response = client.post("/en/accounts/password/reset/", {"email": superuser.email})
    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    [key] = RESET_PATH.findall(email.body_text)  # still waiting: the key is in the row

    for staff_client in staff_clients:
        pages = _outbox_pages(staff_client, email)
        assert "root@example.com" in pages  # the row is listed...
        assert key not in pages  # ...but its link is not shown to anyone
        assert "/accounts/password/reset/key/" not in pages
        assert HIDDEN in pages

    # Delivery (the after-commit hand-off, then beat's dispatcher: both find it done).
    for callback in hand_off:
        callback()
    dispatch_due_emails_task.apply().get()

    email.refresh_from_db()
    assert email.status == Status.SENT
    assert (email.body_text, email.body_html, email.attachments) == ("", "", [])
    assert email.prebuilt_message is None
    assert not OutgoingEmail.objects.filter(body_text__contains=key).exists()
    assert key not in _outbox_pages(staff_clients[0], email)

    # The person it was for got a working link.
    [message] = mail.outbox
    assert message.to == [superuser.email]
    [sent_key] = RESET_PATH.findall(message.body)
    assert sent_key == key
    key_path = RESET_PATH.search(message.body).group(0)
    form = client.get(key_path, follow=True)
    assert form.status_code == 200
    # allauth may move the key into the session and redirect to a key-less URL.
    set_path = form.redirect_chain[-1][0] if form.redirect_chain else key_path
    done = client.post(set_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert done.status_code == 302
    superuser.refresh_from_db()
    assert superuser.check_password(NEW_PASSWORD)


def test_resend_action_refuses_mail_carrying_a_credential(
    client, superuser, secretariat, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/en/accounts/password/reset/", {"email": superuser.email})
    email = OutgoingEmail.objects.get()
    assert email.status == Status.SENT

    with django_capture_on_commit_callbacks(execute=True):
        response = _client_for(secretariat).post(
            reverse(CHANGELIST),
            {"action": "resend", "_selected_action": [email.pk]},
            follow=True,
        )

    assert response.status_code == 200
    assert (
        "1 e-mail carries a password-reset link, a confirmation key or a sign-in code and was "
        "not resent: the person can ask for a new one."
    ) in response.content.decode()
    assert OutgoingEmail.objects.count() == 1
    assert len(mail.outbox) == 1


def test_signup_confirmation_is_secret_and_unknown_account_notice_is_not(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/en/accounts/signup/",
            {
                "email": "new.delegate@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )
        client.post("/en/accounts/password/reset/", {"email": "nobody@example.com"})

    kinds = dict(OutgoingEmail.objects.values_list("kind", "secret"))
    assert kinds == {
        "account.email_confirmation_signup": True,
        "account.unknown_account": False,
    }
    confirmation = OutgoingEmail.objects.get(kind="account.email_confirmation_signup")
    assert confirmation.body_text == ""
    assert "/accounts/confirm-email/" in mail.outbox[0].body


def test_secret_mail_sent_over_smtp_loses_its_prebuilt_message(smtp_server):
    email = queue_rendered_email(
        to="amina@example.com",
        language="en",
        kind="account.login_code",
        subject="Sign-in code",
        body_text="Your code: 918273",
        secret=True,
    )
    assert b"918273" in bytes(email.prebuilt_message)  # waiting: the code is in the row

    deliver_emails([email.pk])

    # The person got the code; the outbox keeps neither the body nor the built message.
    [message] = smtp_server.messages
    assert "Your code: 918273" in message.get_content()
    email.refresh_from_db()
    assert email.status == Status.SENT
    assert (email.body_text, email.prebuilt_message) == ("", None)
    assert not OutgoingEmail.objects.filter(prebuilt_message__isnull=False, secret=True).exists()


def test_secret_mail_refused_for_good_loses_its_body(smtp_server):
    smtp_server.replies["gone@example.com"] = "550 No such user"
    email = queue_rendered_email(
        to="gone@example.com",
        language="en",
        kind="account.password_reset_key",
        subject="Password reset",
        body_text="https://portal.example/en/accounts/password/reset/key/1-secret/",
        body_html="<a href='https://portal.example/reset/1-secret/'>reset</a>",
        secret=True,
    )

    deliver_emails([email.pk])

    email.refresh_from_db()
    assert email.status == Status.FAILED
    assert "550 No such user" in email.last_error
    assert (email.body_text, email.body_html, email.prebuilt_message) == ("", "", None)


def test_secret_mail_failed_after_its_worker_died_loses_its_body(settings):
    settings.MAIL_RETRY_DELAYS = []  # one attempt in all
    email = queue_rendered_email(
        to="amina@example.com",
        language="en",
        kind="account.login_code",
        subject="Sign-in code",
        body_text="Your code: 123456",
        secret=True,
    )
    now = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        status=Status.SENDING, attempts=1, sending_until=now
    )

    assert release_stuck_emails(now=now + datetime.timedelta(seconds=1)) == 1

    email.refresh_from_db()
    assert (email.status, email.body_text, email.prebuilt_message) == (Status.FAILED, "", None)


@pytest.mark.parametrize(
    ("template", "context", "secret"),
    [
        ("account/email/password_reset_key", {"password_reset_url": "…", "key": "k"}, True),
        ("account/email/password_reset_code", {"code": "ABC123"}, True),
        ("account/email/login_code", {"code": "ABC123"}, True),
        ("account/email/email_confirmation", {"activate_url": "…", "key": "k"}, True),
        # One a later allauth might add: a code in the context is enough.
        ("account/email/some_new_code", {"code": "ABC123"}, True),
        ("account/email/password_changed", {"ip": "127.0.0.1"}, False),
        ("account/email/unknown_account", {"signup_url": "…"}, False),
    ],
)
def test_allauth_messages_carrying_a_key_or_code_are_secret(template, context, secret):
    from accounts.adapter import carries_credential

    assert carries_credential(template, context) is secret
