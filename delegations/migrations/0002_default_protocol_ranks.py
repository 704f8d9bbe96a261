"""The protocol ranks a ministerial forum starts with; the secretariat edits the list."""

from django.db import migrations

RANKS = [
    (10, "Minister", "Министр", "Министр"),
    (20, "Deputy Minister", "Заместитель министра", "Вице-министр"),
    (30, "Ambassador", "Посол", "Елші"),
    (40, "Head of Agency", "Руководитель ведомства", "Ведомство басшысы"),
    (50, "CEO", "Генеральный директор", "Бас атқарушы директор"),
]


def add_ranks(apps, schema_editor):
    ProtocolRank = apps.get_model("delegations", "ProtocolRank")
    if ProtocolRank.objects.exists():
        return
    for order, en, ru, kk in RANKS:
        ProtocolRank.objects.create(
            order=order, name=en, name_en=en, name_ru=ru, name_kk=kk, is_vip=True
        )


class Migration(migrations.Migration):
    dependencies = [("delegations", "0001_initial")]

    operations = [migrations.RunPython(add_ranks, migrations.RunPython.noop)]
