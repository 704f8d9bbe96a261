"""Queue a test e-mail through the outbox: how operators check that SMTP delivery works."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from mail.services import queue_email


class Command(BaseCommand):
    help = (
        "Queue a test e-mail to ADDRESS through the outbox. A running worker sends it; "
        "its status (and any SMTP error) shows in the admin under Mail › Outgoing e-mails."
    )

    def add_arguments(self, parser):
        parser.add_argument("address", help="Where to send the test message.")
        parser.add_argument(
            "--language", default="en", help="Language of the message: en, ru or kk."
        )
        parser.add_argument("--note", default="", help="A line of text to include.")

    def handle(self, *args, address, language, note, **options):
        try:
            with transaction.atomic():
                email = queue_email(
                    to=address,
                    language=language,
                    kind="mail.test",
                    template="mail/emails/test_message",
                    context={"sent_on": timezone.now(), "note": note},
                )
        except ValidationError as error:
            raise CommandError(f"{address!r} is not a valid e-mail address.") from error
        email.refresh_from_db()
        self.stdout.write(
            f"Queued test e-mail #{email.pk} to {email.recipient} ({email.language}); "
            f"status: {email.status}."
        )
