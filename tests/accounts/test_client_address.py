"""allauth's rate limits count per client address: behind the TLS proxy that is the address the
proxy appended to X-Forwarded-For, never an address the client wrote itself."""

import pytest
from allauth.account.models import EmailAddress
from django.test import Client

from accounts.models import User
from minex.client_address import client_ip
from tests.factories import TEST_PASSWORD, make_user

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
LOGIN = "/en/accounts/login/"
# allauth's default: 10 failed logins a minute per address (and 5 per account).
FAILED_LOGINS_ALLOWED = 10


def verified_user(email: str):
    user = make_user(email)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def client_from(remote_addr: str) -> Client:
    return Client(REMOTE_ADDR=remote_addr)


def fail_logins(client: Client, count: int, *, forwarded_for=None) -> None:
    """`count` wrong passwords, each for a different address so only the per-address limit
    is reached; `forwarded_for(i)` gives the i-th request's X-Forwarded-For."""
    for attempt in range(count):
        headers = {"HTTP_X_FORWARDED_FOR": forwarded_for(attempt)} if forwarded_for else {}
        response = client.post(
            LOGIN, {"login": f"guess{attempt}@example.com", "password": "wrong"}, **headers
        )
        assert response.status_code == 200


def logs_in(client: Client, email: str, **headers) -> bool:
    response = client.post(LOGIN, {"login": email, "password": TEST_PASSWORD}, **headers)
    return response.status_code == 302 and "_auth_user_id" in client.session


def test_failed_logins_behind_proxy_do_not_lock_out_other_clients(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    verified_user("aigerim@example.com")
    attacker = client_from(PROXY)

    fail_logins(attacker, FAILED_LOGINS_ALLOWED + 2, forwarded_for=lambda _i: "198.51.100.7")

    delegate = client_from(PROXY)
    assert logs_in(delegate, "aigerim@example.com", HTTP_X_FORWARDED_FOR="203.0.113.20")


def test_failed_logins_behind_proxy_lock_out_that_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    verified_user("attacker@example.com")
    attacker = client_from(PROXY)

    # The attacker writes a new address into the header each time; the proxy appends the real
    # one, and only that one counts.
    fail_logins(
        attacker,
        FAILED_LOGINS_ALLOWED,
        forwarded_for=lambda i: f"192.0.2.{i}, 198.51.100.7",
    )

    assert not logs_in(
        attacker, "attacker@example.com", HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.7"
    )


def test_forged_forwarded_for_is_ignored_without_trusted_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    verified_user("attacker@example.com")
    attacker = client_from("198.51.100.7")

    fail_logins(attacker, FAILED_LOGINS_ALLOWED, forwarded_for=lambda i: f"192.0.2.{i}")

    assert not logs_in(attacker, "attacker@example.com", HTTP_X_FORWARDED_FOR="192.0.2.200")
    # Another address is not affected.
    assert logs_in(client_from("203.0.113.20"), "attacker@example.com")


@pytest.mark.parametrize(
    ("proxies", "remote_addr", "forwarded_for", "expected"),
    [
        (0, "198.51.100.7", "192.0.2.1", "198.51.100.7"),
        (1, PROXY, "", PROXY),
        (1, PROXY, "192.0.2.1, 198.51.100.7", "198.51.100.7"),
        (1, PROXY, "198.51.100.7:54321", "198.51.100.7"),
        (1, PROXY, "[2001:db8::7]:443", "2001:db8::7"),
        (1, PROXY, "2001:DB8:0::7", "2001:db8::7"),
        (1, PROXY, "192.0.2.1, unknown", PROXY),
        (2, PROXY, "192.0.2.1, 198.51.100.7, 10.0.0.1", "198.51.100.7"),
        (2, PROXY, "198.51.100.7", "198.51.100.7"),
    ],
)
def test_client_ip_is_the_entry_the_outermost_trusted_proxy_wrote(
    rf, settings, proxies, remote_addr, forwarded_for, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_ip(request) == expected


def test_sign_ups_behind_proxy_are_limited_per_client(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    busy = client_from(PROXY)
    # allauth's default: 20 sign-ups a minute per address.
    for attempt in range(21):
        busy.post(
            "/en/accounts/signup/",
            {
                "email": f"colleague{attempt}@example.com",
                "password1": "Astana-2026-secure",
                "password2": "Astana-2026-secure",
            },
            HTTP_X_FORWARDED_FOR="198.51.100.7",
        )

    response = client_from(PROXY).post(
        "/en/accounts/signup/",
        {
            "email": "aigerim@example.com",
            "password1": "Astana-2026-secure",
            "password2": "Astana-2026-secure",
        },
        HTTP_X_FORWARDED_FOR="203.0.113.20",
    )

    assert response.status_code == 302
    assert User.objects.filter(email="aigerim@example.com").exists()
