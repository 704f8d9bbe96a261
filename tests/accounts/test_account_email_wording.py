"""allauth's e-mails name the portal, not the host the request came through."""

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from tests.factories import make_delegate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "hello", "thanks"),
    [
        ("ru", "Вам пишет Портал форума MINEX.", "пользуетесь сайтом «Портал форума MINEX»"),
        ("kk", "Бұл хатты MINEX форумының порталы жіберді.", "«MINEX форумының порталы» сайтын"),
        ("en", "Hello from MINEX Forum Portal!", "Thank you for using MINEX Forum Portal!"),
    ],
)
def test_password_reset_email_names_the_portal(
    client, settings, django_capture_on_commit_callbacks, language, hello, thanks
):
    settings.SITE_URL = "https://register.minexforum.example"
    delegate = make_delegate(preferred_language=language)
    EmailAddress.objects.create(user=delegate, email=delegate.email, verified=True, primary=True)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/{language}/accounts/password/reset/",
            {"email": delegate.email},
            HTTP_HOST="127.0.0.1:8100",  # the app server behind the proxy
        )

    (message,) = mail.outbox
    assert hello in message.body
    assert thanks in message.body
    assert "register.minexforum.example" in message.body
    assert "пишет 127.0.0.1" not in message.body
    assert "127.0.0.1:8100!" not in message.body and "127.0.0.1:8100." not in message.body
