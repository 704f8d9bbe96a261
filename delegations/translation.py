"""Protocol ranks are read in the visitor's language (English default, Russian, Kazakh)."""

from modeltranslation.translator import TranslationOptions, register

from .models import ProtocolRank


@register(ProtocolRank)
class ProtocolRankTranslationOptions(TranslationOptions):
    fields = ("name",)
    required_languages = {"en": ("name",), "default": ()}
