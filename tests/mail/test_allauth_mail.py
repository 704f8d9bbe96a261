"""django-allauth's e-mails go through the outbox, in the language of the request."""

import pytest
from django.core import mail

from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "ru"])
def test_password_reset_email_is_queued_in_outbox_and_delivered(
    client, django_user_model, django_capture_on_commit_callbacks, language
):
    django_user_model.objects.create_user("amina@example.com", "old-password")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/{language}/accounts/password/reset/", {"email": "amina@example.com"}
        )

    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert email.kind == "account.password_reset_key"
    assert email.language == language
    assert email.recipient == "amina@example.com"
    assert email.status == OutgoingEmail.Status.SENT
    [message] = mail.outbox
    assert message.to == ["amina@example.com"]
    assert message.subject == email.subject
    assert "/accounts/password/reset/key/" in message.body
    # The link was a credential: once delivered, the outbox keeps no copy of it.
    assert (email.secret, email.body_text, email.body_html) == (True, "", "")


def test_signup_confirmation_email_goes_through_outbox(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/en/accounts/signup/",
            {
                "email": "new.delegate@example.com",
                "password1": "a-long-unusual-passphrase",
                "password2": "a-long-unusual-passphrase",
            },
        )

    assert response.status_code == 302
    email = OutgoingEmail.objects.get(recipient="new.delegate@example.com")
    assert email.kind == "account.email_confirmation_signup"
    assert email.status == OutgoingEmail.Status.SENT
    assert mail.outbox[0].to == ["new.delegate@example.com"]
