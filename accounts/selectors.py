"""Reads for accounts."""

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _
from django_countries import countries
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField
from phonenumber_field.phonenumber import to_python

from .models import DelegateProfile, ProfileHistory, User


def get_profile(user: User) -> DelegateProfile | None:
    """The user's delegate profile, or None before they first filled it in."""
    return DelegateProfile.objects.filter(user=user).first()


# Held by the Secretariat group, not by organisers (registrations/roles.py).
SPECIAL_PERSONAL_DATA_PERMISSION = "accounts.view_special_personal_data"


def may_see_special_personal_data(user) -> bool:
    """Whether `user` may see a delegate's passport name, nationality, phone, dietary and
    accessibility needs (exports, the admin): active holders of the permission (superusers
    hold every permission)."""
    return bool(user.is_active and user.has_perm(SPECIAL_PERSONAL_DATA_PERMISSION))


@dataclass(frozen=True)
class ProfileChange:
    """One field of a profile change, ready to read: "Organisation: A → B"."""

    label: str
    old: str
    new: str


def own_profile_history(user: User) -> list[ProfileHistory]:
    """Every change of `user`'s own profile, newest first (one query), each with `lines`: the
    changed fields by their verbose names and their old and new values as the delegate reads
    them. Shown to the delegate themselves, so special data (needs, nationality, phone) is
    spelled out: it is their own."""
    entries = list(ProfileHistory.objects.filter(user=user).order_by("-at", "-pk"))
    for entry in entries:
        entry.lines = [
            ProfileChange(
                label=_field_label(name),
                old=profile_value_display(name, values.get("old")),
                new=profile_value_display(name, values.get("new")),
            )
            for name, values in sorted(entry.changes.items(), key=_form_order)
        ]
        entry.by_self = entry.actor_id == user.pk
    return entries


# PostgreSQL's jsonb keeps keys in its own order: lines follow the form's order instead.
_FIELD_ORDER = {field.name: n for n, field in enumerate(DelegateProfile._meta.fields)}


def _form_order(item) -> int:
    return _FIELD_ORDER.get(item[0], len(_FIELD_ORDER))


def _field_label(name: str) -> str:
    try:
        label = DelegateProfile._meta.get_field(name).verbose_name
    except FieldDoesNotExist:  # a field since removed from the model: its name is all we have
        return name
    label = str(label)
    return label[:1].upper() + label[1:]


def profile_value_display(name: str, value) -> str:
    """A stored profile value as a person reads it: a country's or language's name, yes/no,
    a dash for nothing."""
    if value in ("", None):
        return "—"
    try:
        field = DelegateProfile._meta.get_field(name)
    except FieldDoesNotExist:
        return str(value)
    if isinstance(field, models.BooleanField):
        return _("yes") if value else _("no")
    if isinstance(field, CountryField):
        return countries.name(value) or str(value)
    if isinstance(field, PhoneNumberField):
        number = to_python(value)  # +7 701 234 5678, as the delegate typed and reads it
        return number.as_international if number and number.is_valid() else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    return str(value)
