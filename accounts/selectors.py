"""Reads for accounts."""

from .models import DelegateProfile, User


def get_profile(user: User) -> DelegateProfile | None:
    """The user's delegate profile, or None before they first filled it in."""
    return DelegateProfile.objects.filter(user=user).first()
