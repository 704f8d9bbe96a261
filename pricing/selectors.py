"""Reads for pricing: a registration's price lines, a code's uses."""

from django.db.models import Count, Q, QuerySet

from registrations.models import Registration

from .models import Code, PriceLine


def price_lines(registration: Registration) -> list[PriceLine]:
    """The registration's price lines, category line first (one query).

    A registration priced with nothing but its category (no code, sector, group or add-on)
    has no stored lines: it gets one line, unsaved, made from its own snapshot (the
    category's name as registered and the price it pays)."""
    stored = list(PriceLine.objects.filter(registration=registration).order_by("position"))
    if stored:
        return stored
    return [
        PriceLine(
            registration=registration,
            position=1,
            kind=PriceLine.Kind.CATEGORY,
            description=registration.category_name,
            description_ru=registration.category_name_ru,
            description_kk=registration.category_name_kk,
            amount=registration.price,
            currency=registration.currency,
        )
    ]


def codes_with_use_counts(codes: QuerySet[Code]) -> QuerySet[Code]:
    """`codes` with `live_uses` (uses not released) annotated."""
    return codes.annotate(live_uses=Count("uses", filter=Q(uses__released_at__isnull=True)))
