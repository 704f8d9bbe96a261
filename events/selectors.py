"""Reads for the public site: which events a visitor may see, shaped for one query."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

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
