"""Reads for the API: the same querysets as the pages and the admin, shaped for one query a
page (no count: pages are by cursor)."""

from django.db.models import Prefetch, Q, QuerySet, TextField

from accounts.selectors import may_see_special_personal_data
from events.models import Event
from events.selectors import forums_visible_to, public_events
from exports.columns import COLUMNS, allowed_column_names
from registrations.models import DelegateCategory, Registration
from registrations.selectors import registrations_visible_to


def api_forums():
    from events.models import Forum

    return Forum.objects.order_by("display_order", "pk")


def api_events() -> QuerySet:
    return public_events().order_by("start_date", "pk")


def api_categories(event) -> QuerySet[DelegateCategory]:
    return DelegateCategory.objects.filter(event=event).order_by("display_order", "pk")


def column_names_for(user) -> list[str]:
    """The export columns `user` may read (special personal data only with the permission)."""
    return allowed_column_names(COLUMNS, special_personal_data=may_see_special_personal_data(user))


def _long_texts(model) -> list[str]:
    return [field.name for field in model._meta.concrete_fields if isinstance(field, TextField)]


def registrations_for(user, filters: dict, *, column_names: list[str]) -> QuerySet[Registration]:
    """`user`'s registrations (events_visible_to: another forum's are not there), filtered as
    the admin's changelist filters them; `filters` are the query's parameters, already
    checked for shape by the view (RegistrationFilters).

    A page's events and categories are fetched once each (a page has a handful), not joined
    to each of its 100 rows, and without their descriptions, programmes and payment
    instructions in three languages, which the API does not show: two more queries, the same
    on every page, and a third of the model instances to build."""
    queryset = (
        registrations_visible_to(user)
        .prefetch_related(
            Prefetch("event", queryset=Event.objects.defer(*_long_texts(Event))),
            Prefetch(
                "category",
                queryset=DelegateCategory.objects.defer(*_long_texts(DelegateCategory)),
            ),
        )
        # The phone column reads its text annotation (exports/columns.py): parsing every
        # number into a PhoneNumber again costs more than the rest of the row.
        .defer("phone")
    )
    annotations = {}
    for name in column_names:
        annotations.update(COLUMNS[name].annotations)
    if annotations:
        queryset = queryset.annotate(**annotations)
    if filters.get("forum"):
        queryset = queryset.filter(event__forum__slug=filters["forum"])
    if filters.get("event"):
        queryset = queryset.filter(event__slug=filters["event"])
    if filters.get("category"):
        queryset = queryset.filter(category_id=filters["category"])
    if filters.get("status"):
        queryset = queryset.filter(status=filters["status"])
    if filters.get("country"):
        queryset = queryset.filter(country=filters["country"])
    if filters.get("visa_letter_needed") is not None:
        queryset = queryset.filter(visa_letter_needed=filters["visa_letter_needed"])
    if filters.get("checked_in") is not None:
        queryset = queryset.filter(checked_in_at__isnull=not filters["checked_in"])
    if filters.get("created_after"):
        queryset = queryset.filter(created_at__date__gte=filters["created_after"])
    if filters.get("created_before"):
        queryset = queryset.filter(created_at__date__lte=filters["created_before"])
    if filters.get("search"):
        term = filters["search"]
        queryset = queryset.filter(
            Q(reference__iexact=term)
            | Q(last_name__icontains=term)
            | Q(first_name__icontains=term)
            | Q(email__icontains=term)
            | Q(organisation__icontains=term)
        )
    return queryset


def visible_forum_ids(user) -> set[int]:
    return set(forums_visible_to(user).values_list("pk", flat=True))
