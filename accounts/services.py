"""Writes for accounts: the delegate profile."""

from django.db import transaction

from .models import DelegateProfile, User

PROFILE_FIELDS = frozenset({*DelegateProfile.DETAIL_FIELDS, "preferred_language"})


@transaction.atomic
def update_profile(user: User, **fields) -> DelegateProfile:
    """Create or update `user`'s delegate profile with `fields` and return it.

    Values are validated by the model's field validators (length, Latin-letter name, phone,
    country, language); a `ValidationError` leaves the stored profile unchanged. Only the given
    fields are written, so two pages that each edit part of the profile do not undo each other.
    Unknown field names are a programming error (`TypeError`).

    Locking: the user's row first (FOR NO KEY UPDATE), then the profile. A first-time delegate
    has no profile row to lock, so two concurrent calls (a double-clicked Register) would both
    insert and one would fail on the unique user; the lock on the parent row makes the second
    wait and then find the profile the first created. Callers that go on to register
    (`registrations.views._register`, `register_on_behalf`) therefore lock in the order user
    row, then event, then category (`register_delegate`); no path may take the event lock
    before calling this.
    """
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"Not profile fields: {', '.join(sorted(unknown))}")
    # Lock the parent row: a lock on the profile alone locks nothing when it does not exist yet.
    User.objects.select_for_update(no_key=True).only("pk").get(pk=user.pk)
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
