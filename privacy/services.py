"""Deleting an account: every registered source erases its part (`minex.personal_data`),
the user row is anonymised, the deletion is recorded without the person, and the secretariat
is told."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from mail.services import queue_email
from minex.personal_data import registered_sources
from registrations.models import Registration
from registrations.services import cancel_registration

from .models import AccountDeletion, InactivityWarning


class PrivacyError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def anonymised_email(user: User) -> str:
    # `.invalid` is reserved (RFC 2606): nothing is ever delivered there.
    return f"deleted-{user.pk}@deleted.invalid"


def delete_account(
    user: User, *, reason: str = AccountDeletion.Reason.REQUESTED, now=None
) -> AccountDeletion:
    """Delete a delegate's account: their personal data everywhere, their registrations kept
    as anonymous counts, issued invoices kept as the law requires.

    In one transaction, in this order: the user's row locked (the lock order's first row);
    their registrations for events not yet over cancelled through
    `registrations.services.cancel_registration` (places freed, the waitlist promoted, the
    secretariat's usual notification); every registered source's `erase` in its order (mail
    first, the account's own data last); the user row anonymised (address, password, name
    gone; inactive, so no session of theirs works any more); an `AccountDeletion` row; and
    the secretariat's e-mail naming the registrations' references (no personal data).
    Running it again for the same user returns the first deletion and changes nothing.
    Staff accounts are refused (`PrivacyError`): their rights go with the job, an
    administrator removes them.
    """
    now = now or timezone.now()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        done = AccountDeletion.objects.filter(user=user).first()
        if done is not None:
            return done
        if user.is_staff or user.is_superuser:
            raise PrivacyError(
                _("Staff accounts cannot be deleted here; please ask an administrator.")
            )
        registrations = Registration.objects.filter(delegate=user).select_related("event")
        references = sorted(registrations.values_list("reference", flat=True))
        for registration in registrations.filter(status__in=Registration.ACTIVE_STATUSES):
            if not registration.event.is_past:
                cancel_registration(
                    registration, acting_user=user, reason="The delegate deleted their account."
                )
        counts = {source.name: source.erase(user, now=now) for source in registered_sources()}
        InactivityWarning.objects.filter(user=user).delete()
        anonymise_user(user)
        deletion = AccountDeletion.objects.create(
            user=user, reason=reason, at=now, references=references, counts=counts
        )
        queue_email(
            to=settings.SECRETARIAT_EMAIL,
            language=settings.LANGUAGE_CODE,
            kind="privacy.account_deleted",
            template="privacy/emails/account_deleted",
            context={
                "deletion_id": deletion.pk,
                "user_id": user.pk,
                "reason": str(deletion.get_reason_display()),
                "at": now,
                "references": references,
                "counts": counts,
            },
            related=deletion,
        )
    return deletion


def anonymise_user(user: User) -> None:
    """The user row stays (registrations point at it) with nothing of the person: a reserved
    address, no usable password (which also ends every session: its hash changes), no
    roles, inactive."""
    user.email = anonymised_email(user)
    user.set_unusable_password()
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.save(
        update_fields=["email", "password", "is_active", "is_staff", "is_superuser", "last_login"]
    )
    user.groups.clear()
    user.user_permissions.clear()
