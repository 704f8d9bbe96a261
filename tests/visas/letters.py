"""Letters for the letter tests: issued through visas.services when they exist."""

from django.utils import timezone

from tests.factories import make_user, make_visa_request
from visas.models import VisaLetter, VisaRequest


def secretariat_user(**fields):
    from django.contrib.auth.models import Permission

    user = make_user(is_staff=True, **fields)
    user.user_permissions.add(
        Permission.objects.get(codename="view_passport_data"),
        Permission.objects.get(codename="view_all_forums"),
    )
    return user


def issue_letter(visa_request: VisaRequest | None = None, *, staff=None) -> VisaLetter:
    """A letter "to render" for a request taken through review and a petition number."""
    visa_request = visa_request or make_visa_request()
    try:
        from visas.services import issue_letter, record_petition, start_review
    except ImportError:
        return _issue_by_hand(visa_request)
    staff = staff or secretariat_user()
    if visa_request.status == VisaRequest.Status.REQUESTED:
        visa_request = start_review(visa_request, acting_user=staff)
    if visa_request.status == VisaRequest.Status.IN_REVIEW:
        visa_request = record_petition(
            visa_request, petition_number=f"P-{visa_request.pk}", acting_user=staff
        )
    return issue_letter(visa_request, acting_user=staff)


def _issue_by_hand(visa_request: VisaRequest) -> VisaLetter:
    version = visa_request.letters.count() + 1
    visa_request.letters.exclude(status=VisaLetter.Status.VOID).update(
        status=VisaLetter.Status.VOID, voided_at=timezone.now(), void_reason="superseded"
    )
    VisaRequest.objects.filter(pk=visa_request.pk).update(
        status=VisaRequest.Status.LETTER_ISSUED, petition_number=f"P-{visa_request.pk}"
    )
    return VisaLetter.objects.create(
        request=visa_request, version=version, number=f"MX-T-{visa_request.pk:05d}-{version}"
    )
