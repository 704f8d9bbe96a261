"""Writes for accounts: the delegate profile."""

from django.db import transaction

from .models import DelegateProfile, User

PROFILE_FIELDS = frozenset(
    {
        "title",
        "first_name",
        "last_name",
        "latin_name",
        "job_title",
        "organisation",
        "country",
        "phone",
        "preferred_language",
    }
)


@transaction.atomic
def update_profile(user: User, **fields) -> DelegateProfile:
    """Create or update `user`'s delegate profile with `fields` and return it.

    Values are validated by the model's field validators (length, Latin-letter name, phone,
    country, language); a `ValidationError` leaves the stored profile unchanged. Only the given
    fields are written, so two pages that each edit part of the profile do not undo each other.
    Unknown field names are a programming error (`TypeError`).
    """
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    # The row lock makes two concurrent edits apply one after the other.
    profile = DelegateProfile.objects.select_for_update().filter(user=user).first()
    created = profile is None
    if created:
        profile = DelegateProfile(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    if created:
        profile.full_clean()
        profile.save()
    else:
        profile.full_clean(exclude=PROFILE_FIELDS - set(fields) | {"user"})
        profile.save(update_fields=[*fields, "updated_at"])
    return profile
