from django.core.management.base import BaseCommand
from django.db import transaction

from events.demo import seed_calendar
from registrations.demo import seed_categories


class Command(BaseCommand):
    help = (
        "Create what is missing of the demo calendar: the four MINEX forums, their editions and "
        "delegate categories. Never changes a row that exists, so it is safe to run on every "
        "start-up of a portal in use."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        calendar = seed_calendar()
        categories = seed_categories(calendar.events)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo calendar ready: {calendar.forums_created} forums, "
                f"{calendar.events_created} events and {categories} delegate categories created; "
                "existing rows left as they are."
            )
        )
