"""Zone names a door's staff read, stored per language (English default, Russian, Kazakh)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Zone


@register(Zone)
class ZoneTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = {"default": ()}
