"""Add-on test data: plain builders, no hidden side effects."""

import itertools
from decimal import Decimal

from addons.models import AddOn

_sequence = itertools.count(1)


def make_add_on(event, **fields) -> AddOn:
    """An active add-on on sale now: free, unlimited, for every category, unless told."""
    n = next(_sequence)
    categories = fields.pop("categories", ())
    values = {
        "event": event,
        "kind": AddOn.Kind.GALA_DINNER,
        "name_en": f"Gala dinner {n}",
        "price": Decimal("0"),
        "currency": "EUR",
        "position": n,
    }
    values.update(fields)
    add_on = AddOn.objects.create(**values)
    if categories:
        add_on.categories.set(categories)
    return add_on
