"""Letters for the letter tests, issued through visas.services as the secretariat would."""

from django.contrib.auth.models import Permission

from tests.factories import make_user, make_visa_request
from visas.models import VisaLetter, VisaRequest
from visas.services import issue_letter as issue
from visas.services import record_petition, start_review


def secretariat_user(**fields):
    """Staff who see every forum and passport data (the Secretariat role's two keys)."""
    user = make_user(is_staff=True, **fields)
    user.user_permissions.add(
        Permission.objects.get(codename="view_passport_data"),
        Permission.objects.get(codename="view_all_forums"),
    )
    return user


def issue_letter(visa_request: VisaRequest | None = None, *, staff=None) -> VisaLetter:
    """A letter "to render" for a request taken through review and a petition number (its
    render task is published after commit, as in production)."""
    visa_request = visa_request or make_visa_request()
    staff = staff or secretariat_user()
    if visa_request.status == VisaRequest.Status.REQUESTED:
        visa_request = start_review(visa_request, acting_user=staff)
    if visa_request.status == VisaRequest.Status.IN_REVIEW:
        visa_request = record_petition(
            visa_request, petition_number=f"P-{visa_request.pk}", acting_user=staff
        )
    return issue(visa_request, acting_user=staff)
