"""Add-on texts a delegate reads, stored per language (English default, Russian, Kazakh)."""

from modeltranslation.translator import TranslationOptions, register

from .models import AddOn


@register(AddOn)
class AddOnTranslationOptions(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",), "default": ()}
