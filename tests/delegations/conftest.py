import importlib

import pytest

from delegations.models import ProtocolRank

DEFAULT_RANKS = importlib.import_module("delegations.migrations.0002_default_protocol_ranks").RANKS


def ensure_default_ranks() -> None:
    """The ranks the data migration seeds: a transactional test (a race, a browser journey)
    empties the tables afterwards, so tests that need them make sure they are there."""
    for order, en, ru, kk in DEFAULT_RANKS:
        ProtocolRank.objects.get_or_create(
            name_en=en, defaults={"name": en, "name_ru": ru, "name_kk": kk, "order": order}
        )


@pytest.fixture(autouse=True)
def _default_ranks(request):
    # Every test here uses the database (pytestmark); the db fixtures set it up first.
    if request.node.get_closest_marker("django_db"):
        request.getfixturevalue("_django_db_helper")
        ensure_default_ranks()
