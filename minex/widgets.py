"""Form widgets shared by the apps."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe


class LongSelect(forms.Select):
    """A <select> for long lists (countries: ~250 options), rendered in Python.

    Django renders every option through its own template, which costs more than the rest of
    the registration page together; this produces the same markup in a fraction of the time.
    Groups (optgroups) are not supported: long lists here are flat.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(option_value)}"'
            f"{' selected' if str(option_value) in selected else ''}>{escape(label)}</option>"
            for option_value, label in self.choices
        )
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308 - every value escaped above
