"""Re-encrypt every encrypted field with the first of FIELD_ENCRYPTION_KEYS (after a new key
was put first); afterwards the old keys can be removed from the setting."""

from django.core.management.base import BaseCommand

from minex.encryption import rotate_encrypted_fields


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted field (passport data) with the first key of "
        "FIELD_ENCRYPTION_KEYS. Run after putting a new key first; then drop the old keys."
    )

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        counts = rotate_encrypted_fields(batch_size=batch_size)
        for label, rows in counts.items():
            self.stdout.write(f"{label}: {rows} rows re-encrypted")
