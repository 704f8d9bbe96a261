"""The opening line of a delegate's e-mail, rendered in the e-mail's language."""

from django import template

from registrations.emails import greeting as registration_greeting

register = template.Library()


@register.simple_tag
def greeting(registration) -> str:
    """`{% greeting registration %}`: "Dear Mr Akhmetov," / «Уважаемый господин Ахметов!»."""
    return registration_greeting(registration)
