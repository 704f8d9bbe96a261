"""Writes and rules of the API: tokens (made, checked, revoked) and webhook subscriptions.

The deliveries themselves are in `api/webhooks.py` (written by the receivers of registrations'
signals) and `api/delivery.py` (sent by the tasks).
"""

import datetime
import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from events.models import Forum

from .models import ApiToken, Scope, WebhookSubscription

KEY_PREFIX = "mx_"
# A token's last use is written at most this often: a partner listing 1,000 pages a minute
# would otherwise update the same row 1,000 times.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
# Scopes that change registrations need the secretariat's permission at every request (an
# organiser reads, changes nothing: registrations/roles.py).
WRITE_SCOPES = {Scope.WRITE_CHECK_INS, Scope.WRITE_REGISTRATIONS}
WRITE_PERMISSION = "registrations.change_registration"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def scopes_allowed(user: User) -> set[str]:
    """The scopes a token of `user` may hold (and use): reading for every active staff
    member, writing only with the permission to change registrations."""
    if not (user.is_active and user.is_staff):
        return set()
    allowed = {Scope.READ_REGISTRATIONS.value}
    if user.has_perm(WRITE_PERMISSION):
        allowed |= {scope.value for scope in WRITE_SCOPES}
    return allowed


def create_token(
    user: User, *, name: str, scopes: list[str], acting_user: User
) -> tuple[ApiToken, str]:
    """Make a token for a staff member; returns it and its key, which is shown once and never
    stored (only its SHA-256 is). Raises ValidationError for a non-staff user or a scope the
    user may not hold."""
    if not (user.is_active and user.is_staff):
        raise ValidationError(_("API tokens are for active staff members only."))
    unknown = set(scopes) - set(Scope.values)
    if unknown or not scopes:
        raise ValidationError(_("Choose at least one scope."))
    refused = set(scopes) - scopes_allowed(user)
    if refused:
        raise ValidationError(
            _("This user may not hold these scopes: %(scopes)s")
            % {"scopes": ", ".join(sorted(refused))}
        )
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip(),
        prefix=key[: len(KEY_PREFIX) + 6],
        key_hash=hash_key(key),
        scopes=sorted(set(scopes)),
        created_by=acting_user,
    )
    return token, key


def revoke_token(token: ApiToken, *, acting_user: User) -> ApiToken:
    """Revoke a token for good (idempotent: a revoked token keeps its first revocation time)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db(fields=["revoked_at"])
    return token


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, its user loaded, or None (unknown, revoked). Notes the
    use, at most once a minute per token."""
    if not key.startswith(KEY_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_key(key), revoked_at__isnull=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def create_subscription(
    forum: Forum, *, url: str, events: list[str], acting_user: User
) -> tuple[WebhookSubscription, str]:
    """Subscribe `url` to `forum`'s registration events; returns it and its secret (shown
    once to the person who made it, kept to sign deliveries). Raises ValidationError for a
    URL webhooks may not reach (api/addresses.py) or no events."""
    subscription = WebhookSubscription(
        forum=forum,
        url=url,
        events=sorted(set(events)),
        secret="whsec_" + secrets.token_urlsafe(32),
        created_by=acting_user,
    )
    subscription.full_clean()
    subscription.save()
    return subscription, subscription.secret


def resume_subscription(subscription: WebhookSubscription) -> WebhookSubscription:
    """Turn a paused subscription back on, its failure count cleared."""
    with transaction.atomic():
        WebhookSubscription.objects.filter(pk=subscription.pk).update(
            is_active=True, consecutive_failures=0, paused_at=None
        )
    subscription.refresh_from_db()
    return subscription
