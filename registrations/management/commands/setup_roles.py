from django.core.management.base import BaseCommand, CommandError

from registrations.roles import ROLE_PERMISSIONS, set_up_roles


class Command(BaseCommand):
    help = (
        "Create or update the back-office groups (Secretariat, Organiser) with their "
        "permissions. Idempotent; run after every migrate."
    )

    def handle(self, *args, **options):
        try:
            created = set_up_roles()
        except LookupError as error:
            raise CommandError(str(error)) from error
        for name, was_created in created.items():
            verb = "created" if was_created else "up to date"
            count = len(ROLE_PERMISSIONS[name])
            self.stdout.write(f"{name}: {verb} ({count} permissions)")
