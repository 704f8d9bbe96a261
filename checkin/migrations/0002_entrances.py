"""Every event already in the database gets its entrance (newer ones get it on first use,
`services.ensure_entrance`)."""

from django.db import migrations


def create_entrances(apps, schema_editor):
    Event = apps.get_model("events", "Event")
    Zone = apps.get_model("checkin", "Zone")
    have = set(Zone.objects.filter(is_entrance=True).values_list("event_id", flat=True))
    Zone.objects.bulk_create(
        Zone(event_id=pk, is_entrance=True)
        for pk in Event.objects.exclude(pk__in=have).values_list("pk", flat=True)
    )


class Migration(migrations.Migration):
    dependencies = [("checkin", "0001_initial")]

    operations = [migrations.RunPython(create_entrances, migrations.RunPython.noop)]
