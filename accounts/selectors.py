"""Reads for accounts."""

from .models import DelegateProfile, User


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
