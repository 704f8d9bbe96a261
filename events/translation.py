"""Texts a delegate reads, stored per language (English default, Russian, Kazakh)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Event, Forum


@register(Forum)
class ForumTranslationOptions(TranslationOptions):
    fields = ("name", "summary", "region")
    required_languages = {"en": ("name",), "default": ()}


@register(Event)
class EventTranslationOptions(TranslationOptions):
    fields = ("title", "tagline", "city", "venue", "description", "programme")
    required_languages = {"en": ("title", "city"), "default": ()}
