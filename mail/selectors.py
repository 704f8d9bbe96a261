"""Reads over the outbox."""

from dataclasses import dataclass

from django.db.models import Count, Max

from .models import OutgoingEmail, UndeliverableAddress


@dataclass(frozen=True)
class ConfigurationFault:
    waiting: int
    last_error: str


def configuration_fault_summary() -> ConfigurationFault | None:
    """How many e-mails wait because of a configuration fault, and the latest error; or None.

    Read from the rows themselves, so the alert disappears by itself once the fault is fixed
    and the waiting e-mails go out.
    """
    waiting = OutgoingEmail.objects.filter(
        status=OutgoingEmail.Status.QUEUED, fault=OutgoingEmail.Fault.CONFIGURATION
    )
    summary = waiting.aggregate(count=Count("pk"), latest=Max("updated_at"))
    if not summary["count"]:
        return None
    latest = waiting.filter(updated_at=summary["latest"]).values_list("last_error", flat=True)
    return ConfigurationFault(waiting=summary["count"], last_error=latest.first() or "")


def is_undeliverable(address: str) -> bool:
    """Whether the mail server refused ``address`` permanently (and nobody cleared it since)."""
    return UndeliverableAddress.objects.filter(address=address.lower()).exists()


def undeliverable_address(address: str) -> UndeliverableAddress | None:
    """The permanent refusal recorded for ``address``, or None."""
    return UndeliverableAddress.objects.filter(address=address.lower()).first()


def undeliverable_among(addresses) -> set[str]:
    """The undeliverable ones of ``addresses``, lower-cased (one query for a whole list)."""
    lowered = {address.lower() for address in addresses}
    return set(
        UndeliverableAddress.objects.filter(address__in=lowered).values_list("address", flat=True)
    )


def last_bulk_due_at():
    """When the last mailing e-mail still queued falls due (None when none waits)."""
    return (
        OutgoingEmail.objects.filter(status=OutgoingEmail.Status.QUEUED, bulk=True)
        .order_by("-next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
