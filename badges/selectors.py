"""Reads for badges: finding a badge by its QR token, the badge lists, what changed since print."""

from .models import Badge
from .tokens import BadToken, read_badge_token

# The registration's details a badge shows; `printed_details` hashes the same ones.
PRINTED_FIELDS = (
    "first_name",
    "last_name",
    "latin_name",
    "organisation",
    "country",
    "category_id",
    "category_name",
    "category_name_ru",
    "category_name_kk",
)
BADGE_PDF_FIELDS = (
    "code",
    "registration__id",
    *(f"registration__{field}" for field in PRINTED_FIELDS),
)


def badge_for_token(token: str) -> Badge:
    """The badge whose QR carries this token, with its registration, event and category.

    Raises `BadToken` for a forged or garbled token and for a well-signed one whose badge has
    since been reissued (its old code belongs to no badge any more)."""
    code = read_badge_token(token)
    try:
        return Badge.objects.select_related(
            "registration__event", "registration__category", "registration__delegate"
        ).get(code=code)
    except Badge.DoesNotExist:
        raise BadToken("no badge has this code (reissued?)") from None


def badges_for_printing(badge_ids: list[int]):
    """The badges to print, with what the PDF shows, in the order a desk sorts them: by last
    name, then first name. An iterator (chunked), so a large batch is not held in memory."""
    return (
        Badge.objects.filter(pk__in=badge_ids)
        .select_related("registration")
        .only(*BADGE_PDF_FIELDS)
        .order_by("registration__last_name", "registration__first_name", "pk")
        .iterator(chunk_size=500)
    )
