"""Accounts through django-allauth: sign up, confirm the address, log in, reset the password,
change the address, log out; mail through the outbox; rate limits; the admin login."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from accounts.models import User
from mail.models import OutgoingEmail
from tests.factories import TEST_PASSWORD, make_event, make_user

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Astana-2026-secure"


def link_in(message, pattern: str) -> str:
    """The path of the first link matching `pattern` in the e-mail's text."""
    match = re.search(rf"https?://[^/\s]+(/\S*{pattern}\S*)", message.body)
    assert match, message.body
    return match.group(1)


def verified_user(email="delegate@example.com", **fields) -> User:
    user = make_user(email, **fields)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


@pytest.fixture
def outbox(django_capture_on_commit_callbacks):
    """Run a request and deliver what it queued (the outbox hands e-mails over on commit)."""

    def run(request, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return request(*args, **kwargs)

    return run


def test_signup_sends_confirmation_through_outbox_and_returns_to_next(client, outbox):
    event = make_event()
    next_url = f"/en/events/{event.slug}/"

    response = outbox(
        client.post,
        f"/en/accounts/signup/?next={next_url}",
        {"email": "Aigerim@Example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD,
         "next": next_url},
    )  # fmt: skip

    assert response.status_code == 302
    assert response.url == "/en/accounts/confirm-email/"
    user = User.objects.get()
    assert user.email == "aigerim@example.com"
    (message,) = mail.outbox
    assert message.to == ["aigerim@example.com"]
    assert OutgoingEmail.objects.get().kind.startswith("account.email_confirmation")
    # Not logged in until the address is confirmed.
    assert client.get("/en/accounts/email/").status_code == 302

    confirm_path = link_in(message, "/accounts/confirm-email/")
    page = client.get(confirm_path)
    assert page.status_code == 200
    assert b"<form" in page.content
    confirmed = client.post(confirm_path)

    assert confirmed.status_code == 302
    assert confirmed.url == next_url
    assert EmailAddress.objects.get(user=user).verified is True
    assert client.get("/en/accounts/email/").status_code == 200  # logged in


def test_signup_from_russian_page_sends_russian_confirmation(client, outbox):
    outbox(
        client.post,
        "/ru/accounts/signup/",
        {"email": "ivan@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )

    (message,) = mail.outbox
    assert OutgoingEmail.objects.get().language == "ru"
    assert re.search("[а-яА-Я]", message.subject), message.subject


def test_confirmation_link_alone_does_not_confirm(client, outbox):
    outbox(
        client.post,
        "/en/accounts/signup/",
        {"email": "scanner@example.com", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    confirm_path = link_in(mail.outbox[0], "/accounts/confirm-email/")

    # A mail scanner following the link (GET) must not confirm the address.
    client.get(confirm_path)

    assert EmailAddress.objects.get(email="scanner@example.com").verified is False


def test_login_with_unverified_address_resends_confirmation(client, outbox):
    make_user("unverified@example.com")

    response = outbox(
        client.post, "/en/accounts/login/", {"login": "unverified@example.com",
                                            "password": TEST_PASSWORD},
    )  # fmt: skip

    assert response.status_code == 302
    assert response.url == "/en/accounts/confirm-email/"
    assert [m.to for m in mail.outbox] == [["unverified@example.com"]]


def test_login_returns_to_next(client):
    verified_user()
    event = make_event()
    next_url = f"/en/events/{event.slug}/"

    response = client.post(
        f"/en/accounts/login/?next={next_url}",
        {"login": "DELEGATE@example.com", "password": TEST_PASSWORD, "next": next_url},
    )

    assert response.status_code == 302
    assert response.url == next_url


def test_login_refuses_to_redirect_off_site(client):
    verified_user()

    response = client.post(
        "/en/accounts/login/",
        {"login": "delegate@example.com", "password": TEST_PASSWORD,
         "next": "https://evil.example/"},
    )  # fmt: skip

    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_login_page_keeps_next_in_signup_link(client):
    response = client.get("/en/accounts/login/?next=/en/events/x/register/")

    assert response.status_code == 200
    html = response.content.decode()
    assert 'href="/en/accounts/signup/?next=%2Fen%2Fevents%2Fx%2Fregister%2F"' in html
    assert 'name="next" value="/en/events/x/register/"' in html
    # Our layout, not allauth's bare one.
    assert 'class="site-header"' in html


def test_repeated_failed_logins_are_rate_limited(client):
    verified_user()

    for _attempt in range(5):
        client.post("/en/accounts/login/", {"login": "delegate@example.com", "password": "wrong"})
    response = client.post(
        "/en/accounts/login/", {"login": "delegate@example.com", "password": TEST_PASSWORD}
    )

    # Even the right password is refused while the limit holds.
    assert response.status_code == 200
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email_link(client, outbox):
    user = verified_user()

    response = outbox(client.post, "/en/accounts/password/reset/", {"email": user.email})
    assert response.status_code == 302
    (message,) = mail.outbox
    assert message.to == [user.email]
    assert OutgoingEmail.objects.get().kind == "account.password_reset_key"

    key_path = link_in(message, "/accounts/password/reset/key/")
    # allauth moves the key into the session and redirects to a key-less URL.
    form_page = client.get(key_path, follow=True)
    assert form_page.status_code == 200
    set_path = form_page.redirect_chain[-1][0] if form_page.redirect_chain else key_path
    done = client.post(set_path, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    login = client.post("/en/accounts/login/", {"login": user.email, "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_password_reset_for_unknown_address_reveals_nothing(client, outbox):
    response = outbox(client.post, "/en/accounts/password/reset/", {"email": "nobody@example.com"})

    assert response.status_code == 302
    assert response.url == "/en/accounts/password/reset/done/"


def test_change_email_confirms_the_new_address_before_switching(client, outbox):
    user = verified_user("old@example.com")
    client.force_login(user)

    response = outbox(
        client.post, "/en/accounts/email/", {"action_add": "", "email": "new@example.com"}
    )

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["new@example.com"]]
    user.refresh_from_db()
    assert user.email == "old@example.com"  # until the new address is confirmed

    client.post(link_in(mail.outbox[0], "/accounts/confirm-email/"))

    user.refresh_from_db()
    assert user.email == "new@example.com"
    assert list(EmailAddress.objects.filter(user=user).values_list("email", flat=True)) == [
        "new@example.com"
    ]


def test_logout_needs_post(client):
    user = verified_user()
    client.force_login(user)

    page = client.get("/en/accounts/logout/")
    assert page.status_code == 200
    assert "_auth_user_id" in client.session

    response = client.post("/en/accounts/logout/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_admin_login_goes_through_allauth(client):
    response = client.get("/en/admin/login/?next=/en/admin/")

    assert response.status_code == 302
    assert response.url.startswith("/en/accounts/login/?next=")


def test_staff_reaches_admin_after_allauth_login(client):
    verified_user("staff@example.com", is_staff=True, is_superuser=True)

    response = client.post(
        "/en/accounts/login/?next=/en/admin/",
        {"login": "staff@example.com", "password": TEST_PASSWORD, "next": "/en/admin/"},
        follow=True,
    )

    assert response.redirect_chain[0] == ("/en/admin/", 302)
    assert response.status_code == 200
    assert response.request["PATH_INFO"] == "/en/admin/"


def test_non_staff_user_is_refused_at_admin_login(client):
    client.force_login(verified_user())

    response = client.get("/en/admin/login/")

    assert response.status_code == 403


def test_demo_admin_can_log_in_through_allauth(client, settings):
    import io

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("ensure_demo_admin", stdout=io.StringIO())

    response = client.post(
        "/en/accounts/login/",
        {"login": "admin@minexforum.example", "password": "minex-demo", "next": "/en/admin/"},
    )

    assert response.status_code == 302
    assert response.url == "/en/admin/"


@pytest.mark.parametrize(
    "path",
    [
        "/en/accounts/login/",
        "/ru/accounts/signup/",
        "/en/accounts/confirm-email/",
        "/kk/accounts/password/reset/",
        "/en/accounts/password/reset/done/",
        "/en/accounts/password/reset/key/1-bad-key/",
    ],
)
def test_account_pages_use_the_site_layout(client, path):
    response = client.get(path, follow=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="site-header"' in html
    assert 'class="site-footer"' in html


@pytest.mark.parametrize("path", ["/en/accounts/email/", "/en/accounts/logout/"])
def test_logged_in_account_pages_use_the_site_layout(client, path):
    client.force_login(verified_user())

    response = client.get(path)

    assert response.status_code == 200
    assert 'class="site-header"' in response.content.decode()
