"""Pricing's part of a delegate's personal data (registered into `minex.personal_data` from
`PricingConfig.ready()`): the codes their registrations used, how each was priced (price
lines) and what it was priced with (sector, group size)."""

from django.utils.translation import gettext_lazy as _

from minex.personal_data import PersonalDataSource, plain, row

from .models import CodeUse, PriceLine, RegistrationPricing


def pricing_personal_data(user) -> dict:
    uses = (
        CodeUse.objects.filter(registration__delegate=user)
        .select_related("code", "registration")
        .order_by("used_at", "pk")
    )
    lines = (
        PriceLine.objects.filter(registration__delegate=user)
        .select_related("registration")
        .order_by("registration__created_at", "registration_id", "position")
    )
    pricing = RegistrationPricing.objects.filter(registration__delegate=user).select_related(
        "registration"
    )
    return {
        "code_uses": [
            {
                "registration": use.registration.reference,
                "code": use.code.code,
                **row(use, ("used_at", "released_at")),
            }
            for use in uses
        ],
        "price_lines": [
            {
                "registration": line.registration.reference,
                **row(line, ("kind", "description", "amount", "currency")),
            }
            for line in lines
        ],
        "priced_with": [
            {
                "registration": item.registration.reference,
                "sector": item.sector,
                "group_size": item.group_size,
                "priced_at": plain(item.priced_at),
            }
            for item in pricing.order_by("registration__created_at", "pk")
        ],
    }


def erase_pricing_personal_data(user, *, now) -> dict:
    """Nothing here names the person once their registrations are anonymous: a code use
    keeps its place on the code's usage limit and the price lines stay with the anonymous
    registration's price (the invoice is built from them). The sector they declared goes."""
    pricing = RegistrationPricing.objects.filter(registration__delegate=user)
    sectors = pricing.exclude(sector="").update(sector="")
    return {
        "sectors_emptied": sectors,
        "code_uses_kept": CodeUse.objects.filter(registration__delegate=user).count(),
        "price_lines_kept": PriceLine.objects.filter(registration__delegate=user).count(),
    }


SOURCE = PersonalDataSource(
    name="pricing",
    label=_("Prices and codes"),
    export=pricing_personal_data,
    erase=erase_pricing_personal_data,
    order=42,
    kept=_(
        "Kept with the anonymous registration: which code it used (codes have usage limits) "
        "and its price lines; the sector you declared is removed."
    ),
)
