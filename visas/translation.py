"""The inviting organisation's texts, per language: the letter is printed in English and
Russian (Kazakh kept for the portal's pages)."""

from modeltranslation.translator import TranslationOptions, register

from .models import VisaPolicy


@register(VisaPolicy)
class VisaPolicyTranslationOptions(TranslationOptions):
    fields = (
        "inviting_organisation",
        "inviting_organisation_address",
        "signatory_name",
        "signatory_position",
    )
    required_languages = {"en": ("inviting_organisation",), "default": ()}
