"""Texts a delegate reads, stored per language (English default, Russian, Kazakh): the
categories' own, and the snapshot of a category's name a registration keeps."""

from modeltranslation.translator import TranslationOptions, register

from .models import DelegateCategory, Registration


@register(DelegateCategory)
class DelegateCategoryTranslationOptions(TranslationOptions):
    fields = ("name", "description", "payment_instructions")
    required_languages = {"en": ("name",), "default": ()}


@register(Registration)
class RegistrationTranslationOptions(TranslationOptions):
    """The category's name as the delegate registered in it, in every language: the delegate
    reads it in theirs on the thank-you page, My registrations and the registration's page.
    Filled by `registrations.services` from the category's translations."""

    fields = ("category_name",)
