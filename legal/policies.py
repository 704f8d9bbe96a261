"""Versions of the privacy policy. Each version's text lives in its own template, so the
text a delegate accepted can always be shown again; registrations store the version string.

To publish a new version: add its template and append it here (the last one is current).
"""

import datetime
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyVersion:
    version: str
    effective_date: datetime.date
    template_name: str


PRIVACY_POLICY_VERSIONS = (
    PolicyVersion("2026-11", datetime.date(2026, 11, 1), "legal/privacy/2026-11.html"),
)


def current_privacy_policy() -> PolicyVersion:
    return PRIVACY_POLICY_VERSIONS[-1]


def privacy_policy(version: str) -> PolicyVersion | None:
    return next((p for p in PRIVACY_POLICY_VERSIONS if p.version == version), None)
