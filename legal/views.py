from django.conf import settings
from django.http import Http404
from django.shortcuts import render

from .policies import PRIVACY_POLICY_VERSIONS, current_privacy_policy, privacy_policy


def privacy_policy_page(request, version=None):
    policy = privacy_policy(version) if version else current_privacy_policy()
    if policy is None:
        raise Http404
    return render(
        request,
        "legal/privacy_policy.html",
        {
            "policy": policy,
            "is_current": policy == current_privacy_policy(),
            "versions": PRIVACY_POLICY_VERSIONS,
            "retention": retention_schedule(),
        },
    )


def retention_schedule() -> dict[str, int]:
    """The retention schedule's figures (settings, applied by `privacy.retention`), for the
    page's "Retention schedule" section."""
    return {
        "needs_days": settings.PRIVACY_NEEDS_RETENTION_DAYS,
        "mail_days": settings.PRIVACY_MAIL_BODY_RETENTION_DAYS,
        "export_hours": settings.EXPORTS_FILE_RETENTION_HOURS,
        "badge_hours": settings.BADGES_FILE_RETENTION_HOURS,
        "passport_days": settings.VISA_PASSPORT_RETENTION_DAYS,
        "inactive_years": settings.PRIVACY_INACTIVE_ACCOUNT_YEARS,
        "warning_days": settings.PRIVACY_INACTIVITY_WARNING_DAYS,
    }
