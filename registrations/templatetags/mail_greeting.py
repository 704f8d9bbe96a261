"""The opening line of a delegate's e-mail, rendered in the e-mail's language."""

from django import template
from django.utils.translation import gettext

from registrations.emails import greeting as registration_greeting

register = template.Library()


@register.simple_tag(takes_context=True)
def greeting(context, registration) -> str:
    """`{% greeting registration %}`: "Dear Mr Akhmetov," / «Уважаемый господин Ахметов!».

    In a copy sent to someone else (a delegation's focal point: `copy_of` in the context,
    `registrations.extensions.add_email_copies`), a line saying whose e-mail it is comes
    first."""
    opening = registration_greeting(registration)
    copy_of = context.get("copy_of")
    if copy_of:
        note = gettext("A copy of the e-mail sent to %(name)s (%(email)s).") % copy_of
        return f"{note}\n\n{opening}"
    return opening
