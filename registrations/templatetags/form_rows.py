"""{% field_row field %}: one form field (label, widget, help text, errors) in the site's
markup, for every form a delegate sees (registration, change, profile, allauth's pages).
Written in Python: the registration form has ~16 fields, and an include per field was a
template render each."""

from django import template
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe

register = template.Library()

_REQUIRED = mark_safe(' <span class="required" aria-hidden="true">*</span>')


@register.simple_tag
def field_row(field):
    """The row for `field`: a checkbox before its label, any other widget after it."""
    checkbox = getattr(field.field.widget, "input_type", None) == "checkbox"
    classes = "field"
    if field.errors:
        classes += " field--error"
    if checkbox:
        classes += " field--checkbox"
    label = format_html(
        '<label for="{}">{}{}</label>',
        field.id_for_label,
        field.label,
        _REQUIRED if field.field.required else "",
    )
    widget = conditional_escape(field)
    parts = [f'<div class="{classes}">\n']
    parts.append(f"{widget} {label}\n" if checkbox else f"{label}\n{widget}\n")
    if field.help_text:
        parts.append(
            format_html(
                '<span class="helptext" id="{}_helptext">{}</span>\n',
                field.auto_id,
                field.help_text,
            )
        )
    if field.errors:
        items = "".join(format_html("<li>{}</li>", error) for error in field.errors)
        parts.append(
            format_html('<ul class="errorlist" id="{}_error">', field.auto_id) + items + "</ul>\n"
        )
    parts.append("</div>\n")
    return mark_safe("".join(parts))  # noqa: S308 - every value escaped above
