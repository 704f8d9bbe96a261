"""`{% personal_data_value value %}`: a source's JSON value as nested lists, for the readable
copy of the delegate's data (keys shown as words, every value escaped)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

register = template.Library()


def _words(key: str) -> str:
    return key.replace("_", " ").capitalize()


def _render(value):
    if isinstance(value, dict):
        if not value:
            return format_html("<p>{}</p>", _("Nothing."))
        return format_html(
            '<dl class="facts facts--wide">{}</dl>',
            format_html_join(
                "",
                "<div><dt>{}</dt><dd>{}</dd></div>",
                ((_words(key), _render(item)) for key, item in value.items()),
            ),
        )
    if isinstance(value, list):
        if not value:
            return format_html("<p>{}</p>", _("Nothing."))
        return format_html(
            "<ol>{}</ol>", format_html_join("", "<li>{}</li>", ((_render(i),) for i in value))
        )
    if value is None or value == "":
        return "—"
    if value is True:
        return _("yes")
    if value is False:
        return _("no")
    return format_html("{}", value)


@register.simple_tag
def personal_data_value(value):
    return _render(value)
