from django.core.management.base import BaseCommand
from django.db import transaction

from events.demo import EVENTS, FORUMS
from events.models import Event, Forum
from registrations.demo import seed_categories


class Command(BaseCommand):
    help = "Create or update the demo MINEX 2026 calendar. Safe to run again: same rows."

    @transaction.atomic
    def handle(self, *args, **options):
        forums = {}
        for spec in FORUMS:
            values = {key: value for key, value in spec.items() if key != "slug"}
            forums[spec["slug"]], _ = Forum.objects.update_or_create(
                slug=spec["slug"], defaults=values
            )
        for spec in EVENTS:
            values = {key: value for key, value in spec.items() if key not in ("slug", "forum")}
            values.update(forum=forums[spec["forum"]], status=Event.Status.PUBLISHED)
            Event.objects.update_or_create(slug=spec["slug"], defaults=values)
        categories = seed_categories()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo calendar ready: {len(FORUMS)} forums, {len(EVENTS)} events, "
                f"{categories} delegate categories."
            )
        )
