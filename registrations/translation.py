"""Category texts a delegate reads, stored per language (English default, Russian, Kazakh)."""

from modeltranslation.translator import TranslationOptions, register

from .models import DelegateCategory


@register(DelegateCategory)
class DelegateCategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description", "payment_instructions")
    required_languages = {"en": ("name",), "default": ()}
