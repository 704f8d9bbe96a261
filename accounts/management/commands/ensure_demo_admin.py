from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User

DEMO_ADMIN_EMAIL = "admin@minexforum.example"


class Command(BaseCommand):
    help = "Create the demo superuser for a local demo (refuses to run unless DEBUG is on)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("The demo administrator is only for local demos (DEBUG on).")
        password = "minex-demo"
        user = User.objects.filter(email=DEMO_ADMIN_EMAIL).first()
        if user is None:
            user = User.objects.create_superuser(DEMO_ADMIN_EMAIL, password)
        # Staff log in through allauth, which requires a verified address.
        EmailAddress.objects.update_or_create(
            user=user, email=DEMO_ADMIN_EMAIL, defaults={"verified": True, "primary": True}
        )
        self.stdout.write(f"Demo administrator: {DEMO_ADMIN_EMAIL} / {password}")
