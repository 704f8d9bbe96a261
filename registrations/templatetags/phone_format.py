"""Phone numbers as a delegate reads them: international format (+7 701 234 5678), not the
stored E.164 (+77012345678)."""

from django import template
from phonenumber_field.phonenumber import PhoneNumber, to_python

register = template.Library()


@register.filter
def international(phone: PhoneNumber | str | None) -> str:
    """`+7 701 234 5678` for a valid number, anything else as it was typed, "" for none."""
    number = to_python(phone)
    if not number:
        return ""
    if number.is_valid():
        return number.as_international
    return str(number.raw_input or phone)
