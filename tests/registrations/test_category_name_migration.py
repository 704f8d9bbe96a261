"""Registrations made before the category name was kept in every language get their Russian
and Kazakh names from the migration that adds them (registrations 0004)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import translation

from registrations.models import DelegateCategory, Registration
from tests.factories import make_category, make_registration

BEFORE = ("registrations", "0003_search_trigram_indexes")
AFTER = ("registrations", "0004_category_name_translations")


def _migrate(target) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.fixture
def restore_schema():
    """Going back to 0003 also unapplies what depends on later registrations migrations
    (billing's tables): every app is migrated forward again afterwards, for the next tests."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_existing_registrations_get_the_category_name_in_every_language(restore_schema):
    category = make_category(name_en="Delegate", name_ru="Делегат", name_kk="Делегат (қатысушы)")
    unchanged = make_registration(category, language="kk")
    renamed = make_category(name_en="Speaker", name_ru="Докладчик", name_kk="Баяндамашы")
    before_rename = make_registration(renamed, language="ru")
    DelegateCategory.objects.filter(pk=renamed.pk).update(
        name_en="Keynote speaker", name_ru="Основной докладчик", name_kk="Негізгі баяндамашы"
    )

    _migrate(BEFORE)  # the rows as they were: the English name only
    _migrate(AFTER)

    unchanged = Registration.objects.get(pk=unchanged.pk)
    before_rename = Registration.objects.get(pk=before_rename.pk)
    assert (
        unchanged.category_name,
        unchanged.category_name_ru,
        unchanged.category_name_kk,
    ) == ("Delegate", "Делегат", "Делегат (қатысушы)")
    # Renamed since: today's translations name another thing; the English snapshot is shown.
    assert (before_rename.category_name_ru, before_rename.category_name_kk) == ("", "")
    with translation.override("ru"):
        assert before_rename.category_name_in_language == "Speaker"
