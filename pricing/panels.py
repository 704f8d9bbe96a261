"""Pricing's sections on other apps' pages (registrations.extensions)."""

from registrations.extensions import DetailPanel

from .selectors import price_lines


def _price_lines_context(request, registration) -> dict | None:
    lines = price_lines(registration)
    if len(lines) < 2:
        return None  # one line is the category's price, which the page already shows
    return {"lines": lines}


# The delegate's registration page: how the price was made up, line by line.
PRICE_LINES = DetailPanel(
    template="pricing/_price_lines.html", context=_price_lines_context, order=15
)


def email_context(registration) -> dict:
    """The delegate's registration e-mails list the price lines when rules made the price."""
    lines = price_lines(registration)
    return {"price_lines": lines} if len(lines) > 1 else {}
