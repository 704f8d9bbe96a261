"""Reads for the public site: which events a visitor may see, shaped for one query."""

from dataclasses import dataclass, field

from django.db.models import Model, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from modeltranslation.settings import AVAILABLE_LANGUAGES
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from .models import Event, Forum


def public_events() -> QuerySet[Event]:
    """Published and archived editions; drafts are never public."""
    return Event.objects.filter(
        status__in=[Event.Status.PUBLISHED, Event.Status.ARCHIVED]
    ).select_related("forum")


@dataclass
class ForumEditions:
    forum: Forum
    events: list[Event] = field(default_factory=list)


def upcoming_and_past_events(today=None) -> tuple[list[ForumEditions], list[Event]]:
    """Every forum (in display order) with its upcoming editions, and past editions, newest
    first. A forum between editions is still listed, so visitors see all four series.
    Two queries whatever the number of forums and events."""
    now = timezone.now()
    groups = {forum.pk: ForumEditions(forum) for forum in Forum.objects.all()}
    past: list[Event] = []
    for event in public_events().order_by("start_date"):
        # "Over" in the host city's calendar: Astana's last day ends five hours before London's.
        event_today = today or now.astimezone(event.tz).date()
        if event.end_date >= event_today and event.status == Event.Status.PUBLISHED:
            groups[event.forum_id].events.append(event)
        else:
            past.append(event)
    past.reverse()
    return list(groups.values()), past


def get_public_event(slug: str) -> Event:
    """The public event with this slug, or 404 (drafts included in the 404)."""
    return get_object_or_404(public_events(), slug=slug)


# Scoping for staff: who sees which forums ----------------------------------------------------


def sees_all_forums(user) -> bool:
    """Superusers and the secretariat (the `events.view_all_forums` permission) see every
    forum; organisers see only the forums they are assigned to."""
    return bool(user.is_active and (user.is_superuser or user.has_perm("events.view_all_forums")))


def forums_visible_to(user) -> QuerySet[Forum]:
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Forum.objects.none()
    if sees_all_forums(user):
        return Forum.objects.all()
    return Forum.objects.filter(organisers=user)


def events_visible_to(user) -> QuerySet[Event]:
    """Events (drafts included) whose registrations `user` may see in the back office."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return Event.objects.none()
    if sees_all_forums(user):
        return Event.objects.all()
    return Event.objects.filter(forum__organisers=user)


# Translations: what the secretariat still has to write before publishing -----------------


def translation_gaps(obj: Model) -> dict[str, list[str]]:
    """Each translatable field of `obj` (events/translation.py and the like) that has a text in
    some language but not in every one: its verbose name -> the language codes that lack it,
    in the portal's order (en, ru, kk). A field empty in every language (no venue yet) lacks
    nothing: there is nothing to translate."""
    translatable = translator.get_options_for_model(type(obj)).fields
    gaps = {}
    for model_field in obj._meta.fields:
        if model_field.name not in translatable:
            continue
        texts = {
            language: (getattr(obj, build_localized_fieldname(model_field.name, language)) or "")
            for language in AVAILABLE_LANGUAGES
        }
        missing = [language for language, text in texts.items() if not text.strip()]
        if missing and len(missing) < len(texts):
            gaps[str(model_field.verbose_name)] = missing
    return gaps


def missing_translations(event: Event) -> dict[str, list[str]]:
    """The texts a visitor of `event`'s pages would read in the wrong language: the event's
    translatable fields and its forum's, labelled "Event: description", "Forum: summary" (in
    the active language) -> the language codes that lack them. Empty when every text is there
    in every language. No query beyond the forum (select it with the event). The delegate
    categories are added by `registrations.selectors.event_missing_translations`."""
    gaps = {}
    for owner in (event, event.forum):
        for field_name, languages in translation_gaps(owner).items():
            label = _("%(owner)s: %(field)s") % {
                "owner": capfirst(owner._meta.verbose_name),
                "field": field_name,
            }
            gaps[label] = languages
    return gaps


def languages_missing(gaps: dict[str, list[str]]) -> list[str]:
    """Every language code that lacks at least one text in `gaps`, in the portal's order."""
    lacking = {language for languages in gaps.values() for language in languages}
    return [language for language in AVAILABLE_LANGUAGES if language in lacking]
