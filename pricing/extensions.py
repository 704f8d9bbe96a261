"""Where other apps plug into pricing (addons' priced add-ons).

A line provider is `provider(registration) -> list[pricing.rules.QuoteLine]`: the priced
lines it adds to a registration (an add-on booked, positive; kind `PriceLine.Kind.ADD_ON`).
`pricing.services.price_registration` calls every provider after the fee's rules, so the
lines come after the code and are not discounted by it. Providers are registered from the
app's `AppConfig.ready()` and must only read (they run inside the pricing transaction).
"""

from collections.abc import Callable

_line_providers: list[Callable] = []


def add_line_provider(provider: Callable) -> None:
    """Register a provider; registering the same one again is a no-op."""
    if provider not in _line_providers:
        _line_providers.append(provider)


def extra_lines(registration) -> list:
    lines = []
    for provider in _line_providers:
        lines.extend(provider(registration))
    return lines
