"""The registration changelist's search box: case- and accent-insensitive on PostgreSQL.

"muller" finds Müller and "ахметова" Ахметова: each word typed must occur in one of the
searched fields (as Django's admin search), both sides compared as `f_unaccent(lower(...))`.
That is exactly the expression of the trigram indexes of migration 0005, so at 100,000
registrations the search is a bitmap index scan, not a read of the whole table. The term's
side is an expression of constants, which PostgreSQL folds before planning.

Elsewhere (SQLite, the embedded demo) Django's own `icontains` search runs.
"""

import functools
import operator

from django.contrib import admin
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.db import connections
from django.db.models import F, Func, Q, TextField, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains, Exact, StartsWith
from django.utils.text import smart_split, unescape_string_literal

# Django's search-field prefixes; "@" (full-text search) is compared as "contains".
_LOOKUPS = {"^": StartsWith, "=": Exact}


class Unaccent(Func):
    """PostgreSQL's `unaccent`, through the IMMUTABLE wrapper migration 0005 creates."""

    function = "f_unaccent"
    output_field = TextField()


def folded(expression):
    """The form both a field and a search term are compared in: lower case, no accents."""
    return Unaccent(Lower(expression))


def search_registrations(model_admin, request, queryset, search_term):
    """`ModelAdmin.get_search_results` for the registration changelist (see the module)."""
    if connections[queryset.db].vendor != "postgresql":
        return admin.ModelAdmin.get_search_results(model_admin, request, queryset, search_term)
    search_fields = model_admin.get_search_fields(request)
    if not search_term or not search_fields:
        return queryset, False
    for word in smart_split(search_term):
        if word.startswith(('"', "'")) and word[0] == word[-1]:
            word = unescape_string_literal(word)
        term = folded(Value(word))
        queryset = queryset.filter(
            functools.reduce(
                operator.or_,
                (
                    Q(_LOOKUPS.get(field[0], Contains)(folded(F(field.lstrip("^=@"))), term))
                    for field in search_fields
                ),
            )
        )
    may_have_duplicates = any(
        lookup_spawns_duplicates(model_admin.opts, field.lstrip("^=@")) for field in search_fields
    )
    return queryset, may_have_duplicates
