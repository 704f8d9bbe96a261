"""Writes for accounts: the delegate profile and its history."""

from django.core.exceptions import ValidationError
from django.db import transaction

from minex.countries import full_clean

from .models import DelegateProfile, NewsConsentChange, ProfileHistory, User

PROFILE_FIELDS = frozenset(
    {
        *DelegateProfile.DETAIL_FIELDS,
        *DelegateProfile.NEEDS_FIELDS,
        *DelegateProfile.CONSENT_FIELDS,
        "preferred_language",
    }
)


def update_profile(
    user: User, *, channel: str, acting_user: User | None = None, **fields
) -> DelegateProfile:
    """Create or update `user`'s delegate profile with `fields` and return it.

    Values are validated by the model's field validators (length, Latin-letter name, phone,
    country, language); a `ValidationError` leaves the stored profile unchanged. Only the given
    fields are written, so two pages that each edit part of the profile do not undo each other.
    Unknown field names are a programming error (`TypeError`).

    Side effects, in one transaction, in order: the profile saved (only when a value really
    changed); one `ProfileHistory` row naming `acting_user` (None: nobody in particular),
    `channel` (a `ProfileHistory.Channel`) and each changed field's old and new value. A save
    that changes nothing writes neither.

    A save that changes nothing takes no lock: the stored profile is read and
    compared first, and only a real change goes on to lock and write (the user's
    `delegate_profile` is set to the profile returned either way, so a caller reading it next,
    as registering does, reads no row again).

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
    ProfileHistory.Channel(channel)  # a ValueError for a channel the history cannot name
    current = DelegateProfile.objects.filter(user=user).first()
    if current is not None and not _apply(current, fields):
        user.delegate_profile = current
        return current
    # No savepoint inside a caller's transaction (two round trips saved): the values are
    # validated before anything is written, and a refusal is raised after the block, so a
    # caller that catches it keeps a usable transaction.
    with transaction.atomic(savepoint=False):
        # Lock the parent row: a lock on the profile alone locks nothing when it does not
        # exist yet.
        User.objects.select_for_update(no_key=True).only("pk").get(pk=user.pk)
        profile = DelegateProfile.objects.select_for_update().filter(user=user).first()
        created = profile is None
        if created:
            profile = DelegateProfile(user=user)
        try:
            changes = _apply(profile, fields, created=created)
        except ValidationError as error:
            refusal = error
        else:
            refusal = None
            if created:
                profile.save()
            elif changes:
                profile.save(update_fields=[*changes, "updated_at"])
            if changes:
                ProfileHistory.objects.create(
                    user=user, actor=acting_user, channel=channel, changes=changes
                )
            if "consent_marketing" in changes:
                # The profile's channels are consent sources of the same names.
                NewsConsentChange.objects.create(
                    user=user, consented=profile.consent_marketing, source=channel
                )
    if refusal is not None:
        raise refusal
    user.delegate_profile = profile
    return profile


def set_news_consent(user: User, consented: bool, *, source: str) -> bool:
    """Give or withdraw `user`'s consent to news about future forums; return True if it changed.

    `source` is a `NewsConsentChange.Source` (an unknown one is a ValueError). Side effects,
    in one transaction, in order: the user's row locked (FOR NO KEY UPDATE, the lock order of
    `update_profile`), then the profile; its `consent_marketing` saved and one
    `NewsConsentChange` row written, only when the value really changes. A person without a
    profile has no consent to withdraw: withdrawing writes the history row alone (the
    unsubscribe is recorded with its time), giving consent needs a profile (ValueError).
    Repeating the same answer (a second click on an unsubscribe link) writes nothing.
    """
    NewsConsentChange.Source(source)
    with transaction.atomic():
        User.objects.select_for_update(no_key=True).only("pk").get(pk=user.pk)
        profile = DelegateProfile.objects.select_for_update().filter(user=user).first()
        if profile is None:
            if consented:
                raise ValueError("Consent to news is kept on the delegate profile.")
            last = NewsConsentChange.objects.filter(user=user).first()
            if last is not None and not last.consented:
                return False
            NewsConsentChange.objects.create(user=user, consented=False, source=source)
            return True
        if profile.consent_marketing == consented:
            return False
        profile.consent_marketing = consented
        profile.save(update_fields=["consent_marketing", "updated_at"])
        NewsConsentChange.objects.create(user=user, consented=consented, source=source)
    return True


def _apply(profile: DelegateProfile, fields: dict, *, created: bool = False) -> dict:
    """Set `fields` on `profile`, validate, and return the changes as the history records them
    ({name: {"old", "new"}}); raises ValidationError for a bad value."""
    old = {name: _json_value(getattr(profile, name)) for name in fields}
    for name, value in fields.items():
        setattr(profile, name, value)
    if created:
        full_clean(profile)
    else:
        full_clean(profile, exclude=PROFILE_FIELDS - set(fields) | {"user"})
    # Compared after cleaning, so "+7 701 234 5678" and the stored "+77012345678" are one value.
    return {
        name: {"old": old[name], "new": _json_value(getattr(profile, name))}
        for name in fields
        if old[name] != _json_value(getattr(profile, name))
    }


def _json_value(value):
    """A field's value as the history stores it: text for countries and phone numbers."""
    if value is None:
        return ""
    if isinstance(value, bool | int | str):
        return value
    return str(value)
