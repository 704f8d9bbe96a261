"""A registration's history in the admin ("History" on the change page): its
`RegistrationHistory` rows as sentences the secretariat reads ("Checked in by Aigerim
Ahmetova at 09:14", "Rejected by …: reason"), on the event's clock, instead of Django's
`LogEntry` list. Values of special personal data in a correction stay hidden from users
without `accounts.view_special_personal_data`, as on the change page.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist, PermissionDenied
from django.template.response import TemplateResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.selectors import may_see_special_personal_data
from events.templatetags.event_time import event_local_time

from ..models import Registration, RegistrationHistory

Action = RegistrationHistory.Action
SPECIAL_FIELDS = frozenset(Registration.SPECIAL_PERSONAL_DATA_FIELDS)

# Each action's sentence with the person who acted, and without one (the portal acted on
# its own, or the account was deleted). `time` is the local hour and minute.
SENTENCES = {
    Action.REGISTERED: (_("Registered by %(actor)s"), _("Registered")),
    Action.APPROVED: (_("Approved by %(actor)s"), _("Approved")),
    Action.REJECTED: (_("Rejected by %(actor)s"), _("Rejected")),
    Action.CANCELLED: (_("Cancelled by %(actor)s"), _("Cancelled")),
    Action.PROMOTED: (
        _("Promoted from the waitlist by %(actor)s"),
        _("Promoted from the waitlist automatically"),
    ),
    Action.CHECKED_IN: (_("Checked in by %(actor)s at %(time)s"), _("Checked in at %(time)s")),
    Action.CHECK_IN_UNDONE: (
        _("Check-in undone by %(actor)s at %(time)s"),
        _("Check-in undone at %(time)s"),
    ),
    Action.DETAILS_UPDATED: (_("Details corrected by %(actor)s"), _("Details corrected")),
    Action.EMAIL_RESENT: (
        _("Status e-mail sent again by %(actor)s"),
        _("Status e-mail sent again"),
    ),
    Action.SUBSTITUTED: (
        _("Handed over to another person by %(actor)s"),
        _("Handed over to another person"),
    ),
}
ON_BEHALF_SENTENCE = _("Registered on the delegate's behalf by %(actor)s")

# Notes from an entry's details.
FLAG_NOTES = {
    "override_window": _("registration window overridden"),
    "override_capacity": _("capacity overridden"),
    "override_cutoff": _("substitution cut-off overridden"),
}
CAUSE_NOTES = {
    "rejection": _("a place freed by a rejection"),
    "cancellation": _("a place freed by a cancellation"),
    "event_capacity": _("the event's capacity was raised"),
    "category_capacity": _("the category's capacity was raised"),
}


def hide_special_changes(details: dict) -> dict:
    """A history entry's details with the old and new values of special personal data
    replaced by a note that they are hidden (the field's name stays: something changed)."""
    changes = details.get("changes")
    if not isinstance(changes, dict) or not SPECIAL_FIELDS & set(changes):
        return details
    hidden = gettext("(hidden: special personal data)")
    return {
        **details,
        "changes": {
            name: {"old": hidden, "new": hidden} if name in SPECIAL_FIELDS else change
            for name, change in changes.items()
        },
    }


@dataclass
class HistoryLine:
    at: datetime.datetime
    sentence: str
    from_status: str
    to_status: str
    notes: list[str] = field(default_factory=list)


def actor_name(entry: RegistrationHistory) -> str | None:
    """The delegate-profile name of whoever acted, else their e-mail address; None when
    nobody did (the portal) or the account is gone."""
    actor = entry.actor
    if actor is None:
        return None
    try:
        name = actor.delegate_profile.full_name
    except ObjectDoesNotExist:
        name = ""
    return name or actor.email


def history_lines(registration: Registration, entries, *, show_special: bool) -> list[HistoryLine]:
    """`entries` (with `actor__delegate_profile` joined) as readable lines."""
    statuses = dict(Registration.Status.choices)
    lines = []
    for entry in entries:
        local = event_local_time(entry.at, registration.event)
        actor = actor_name(entry)
        with_actor, without_actor = SENTENCES.get(entry.action, (None, None))
        if entry.action == Action.REGISTERED and entry.details.get("on_behalf_of_delegate"):
            with_actor = ON_BEHALF_SENTENCE
        values = {"actor": actor, "time": local.strftime("%H:%M")}
        if with_actor is None:  # an action this page does not know yet
            sentence = entry.get_action_display()
        else:
            sentence = (with_actor if actor else without_actor) % values
        if entry.reason:
            sentence = gettext("%(sentence)s: %(reason)s") % {
                "sentence": sentence,
                "reason": entry.reason,
            }
        details = entry.details if show_special else hide_special_changes(entry.details)
        lines.append(
            HistoryLine(
                at=entry.at,
                sentence=sentence,
                from_status=statuses.get(entry.from_status, ""),
                to_status=statuses.get(entry.to_status, ""),
                notes=_notes(details),
            )
        )
    return lines


def _notes(details: dict) -> list[str]:
    notes = [str(note) for flag, note in FLAG_NOTES.items() if details.get(flag)]
    if details.get("cause") in CAUSE_NOTES:
        notes.append(str(CAUSE_NOTES[details["cause"]]))
    old, new = details.get("old"), details.get("new")
    if isinstance(old, dict) and isinstance(new, dict):
        notes.append(
            gettext("%(old)s → %(new)s")
            % {
                "old": f"{old.get('name', '')} <{old.get('email', '')}>",
                "new": f"{new.get('name', '')} <{new.get('email', '')}>",
            }
        )
    changes = details.get("changes")
    if isinstance(changes, dict):
        for name, change in changes.items():
            notes.append(
                gettext("%(field)s: %(old)s → %(new)s")
                % {
                    "field": _field_label(name),
                    "old": _value(change.get("old")),
                    "new": _value(change.get("new")),
                }
            )
    return notes


def _field_label(name: str) -> str:
    try:
        return str(Registration._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _value(value) -> str:
    if value is True:
        return gettext("yes")
    if value is False:
        return gettext("no")
    if value in (None, ""):
        return "—"
    return str(value)


def history_view(modeladmin, request, object_id: str, extra_context=None):
    """The registration's history page: who, when (the event's time), from → to, why."""
    opts = modeladmin.model._meta
    registration = modeladmin.get_object(request, unquote(object_id))
    if registration is None:
        return modeladmin._get_obj_does_not_exist_redirect(request, opts, object_id)
    if not modeladmin.has_view_or_change_permission(request, registration):
        raise PermissionDenied
    entries = registration.history.select_related("actor__delegate_profile").order_by("at", "pk")
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("History of registration %(reference)s") % {"reference": registration.reference},
        "subtitle": None,
        "opts": opts,
        "app_label": opts.app_label,
        "object": registration,
        "event": registration.event,
        "lines": history_lines(
            registration, entries, show_special=may_see_special_personal_data(request.user)
        ),
        "media": modeladmin.media,
        **(extra_context or {}),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(
        request, "admin/registrations/registration/object_history.html", context
    )
