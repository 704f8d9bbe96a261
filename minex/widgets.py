"""Form widgets shared by the apps."""

import functools

from django import forms
from django.forms.renderers import DjangoTemplates
from django.forms.utils import flatatt
from django.utils.choices import CallableChoiceIterator
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
        choices = self.choices
        if isinstance(choices, CallableChoiceIterator):
            # The callable's own tuple (minex.countries keeps one per language): iterating
            # the iterator would normalise all ~250 choices again on every render.
            choices = choices.func()
        options = _options_html(tuple(choices))
        for selected in {str(v) for v in self.format_value(value)}:
            # Values are unique: the one option carrying this value gets the attribute.
            option = f'<option value="{escape(selected)}">'
            options = options.replace(option, f'<option value="{escape(selected)}" selected>', 1)
        return mark_safe(f"<select{flatatt(final_attrs)}>{options}</select>")  # noqa: S308 - every value escaped


@functools.lru_cache(maxsize=32)
def _options_html(choices: tuple) -> str:
    """The <option> list of these choices, none selected: built once per list (the countries,
    once per language: minex.countries keeps one tuple per language), then only copied.

    HTML lets an option's end tag be left out when another option or the select's end follows:
    on the registration page's two country lists that is ~4.5 KB of its 40 KB budget."""
    return "".join(
        f'<option value="{escape(option_value)}">{escape(label)}' for option_value, label in choices
    )


def _attrs_html(attrs: dict) -> str:
    # As django/forms/widgets/attrs.html: False leaves the attribute out, True writes it bare.
    html = []
    for name, value in attrs.items():
        if value is False:
            continue
        html.append(f" {name}" if value is True else f' {name}="{escape(str(value))}"')
    return "".join(html)


def _input_html(widget: dict) -> str:
    value = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
    return (
        f'<input type="{escape(widget["type"])}" name="{escape(widget["name"])}"{value}'
        f"{_attrs_html(widget['attrs'])}>"
    )


def _input_option_html(widget: dict) -> str:
    if not widget.get("wrap_label"):
        return _input_html(widget)
    label_for = f' for="{escape(widget["attrs"]["id"])}"' if widget["attrs"].get("id") else ""
    return f"<label{label_for}>{_input_html(widget)} {escape(widget['label'])}</label>"


def _textarea_html(widget: dict) -> str:
    value = escape(widget["value"]) if widget["value"] else ""
    name = escape(widget["name"])
    return f'<textarea name="{name}"{_attrs_html(widget["attrs"])}>\n{value}</textarea>'


def _select_html(widget: dict) -> str:
    # As django/forms/widgets/select.html, with select_option.html for each option.
    html = [f'<select name="{escape(widget["name"])}"{_attrs_html(widget["attrs"])}>']
    for group_name, group_choices, _group_index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{escape(group_name)}">')
        for option in group_choices:
            html.append(
                f'\n  <option value="{escape(str(option["value"]))}"'
                f"{_attrs_html(option['attrs'])}>{escape(option['label'])}</option>\n"
            )
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


class PythonWidgetRenderer(DjangoTemplates):
    """The form renderer for pages that render many fields (the registration form): inputs,
    check boxes, radio options, text areas and short selects are written in Python, in exactly
    the markup of Django's own widget templates; anything else goes through the templates.

    Each widget template costs a template render (and an include for its attributes): on the
    registration form they were most of the page's rendering time.
    """

    _PYTHON = {
        "django/forms/widgets/input.html": _input_html,
        "django/forms/widgets/text.html": _input_html,
        "django/forms/widgets/email.html": _input_html,
        "django/forms/widgets/tel.html": _input_html,
        "django/forms/widgets/url.html": _input_html,
        "django/forms/widgets/number.html": _input_html,
        "django/forms/widgets/hidden.html": _input_html,
        "django/forms/widgets/checkbox.html": _input_html,
        "django/forms/widgets/radio_option.html": _input_option_html,
        "django/forms/widgets/checkbox_option.html": _input_option_html,
        "django/forms/widgets/input_option.html": _input_option_html,
        "django/forms/widgets/textarea.html": _textarea_html,
        "django/forms/widgets/select.html": _select_html,
    }

    def render(self, template_name, context, request=None):
        render_in_python = self._PYTHON.get(template_name)
        if render_in_python is None or "widget" not in context:
            return super().render(template_name, context, request=request)
        return mark_safe(render_in_python(context["widget"]))  # noqa: S308 - escaped above
