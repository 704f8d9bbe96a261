"""The outbox admin's messages count e-mails with the plural forms each language has: Russian
has three (1 письмо, 2 письма, 5 писем) and the verb agrees with them."""

import pytest

from mail.models import OutgoingEmail

pytestmark = pytest.mark.django_db

CHANGELIST = "/ru/admin/mail/outgoingemail/"


@pytest.fixture
def staff_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("admin@example.com", "pw"))
    return client


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "1 письмо поставлено в очередь на повторную отправку."),
        (2, "2 письма поставлены в очередь на повторную отправку."),
        (5, "5 писем поставлено в очередь на повторную отправку."),
        (21, "21 письмо поставлено в очередь на повторную отправку."),
    ],
)
def test_resend_message_in_russian_agrees_with_the_number(
    staff_client, queue_test_message, count, message
):
    emails = [queue_test_message(to=f"delegate{n}@example.com") for n in range(count)]

    response = staff_client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [email.pk for email in emails]},
        follow=True,
    )

    assert message in response.content.decode()
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED).count() == count


@pytest.mark.parametrize(
    ("count", "message"),
    [
        (1, "1 письмо содержит ссылку для сброса пароля"),
        (2, "2 письма содержат ссылку для сброса пароля"),
        (5, "5 писем содержат ссылку для сброса пароля"),
    ],
)
def test_credential_message_in_russian_agrees_with_the_number(
    staff_client, queue_test_message, count, message
):
    emails = [queue_test_message(to=f"delegate{n}@example.com", secret=True) for n in range(count)]

    response = staff_client.post(
        CHANGELIST,
        {"action": "resend", "_selected_action": [email.pk for email in emails]},
        follow=True,
    )

    assert message in response.content.decode()
