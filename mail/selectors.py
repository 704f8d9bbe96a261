"""Reads over the outbox."""

from dataclasses import dataclass

from django.db.models import Count, Max

from .models import OutgoingEmail


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
