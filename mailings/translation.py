"""A mailing's subject and body in each language (English required, the others fall back)."""

from modeltranslation.translator import TranslationOptions, register

from .models import EventReminder, Mailing


@register(Mailing)
class MailingTranslationOptions(TranslationOptions):
    fields = ("subject", "body")
    required_languages = {"en": ("subject", "body"), "default": ()}


@register(EventReminder)
class EventReminderTranslationOptions(TranslationOptions):
    fields = ("note",)
