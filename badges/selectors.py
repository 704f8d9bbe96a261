"""Reads for badges: finding a badge by its QR token, the badge lists, what changed since print."""

from django.db.models import F, OuterRef, Subquery, TextField, Value
from django.db.models.functions import MD5, Cast, Concat

from events.selectors import events_visible_to
from registrations.models import Registration

from .models import Badge, BadgeBatch, BadgeDesign
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


# A separator no registration detail can contain (forms refuse control characters).
_SEPARATOR = "\x1f"


def _details_text(prefix: str):
    parts = []
    for field in PRINTED_FIELDS:
        parts += [Cast(F(f"{prefix}{field}"), TextField()), Value(_SEPARATOR)]
    return parts


def printed_details_hash():
    """An expression for a badge queryset: the md5 of what its badge would print now (the
    registration's printed details and the badge's code). `Badge.details_hash` keeps the
    value it had when last printed, so the two differ once anything on it changed."""
    return MD5(Concat(*_details_text("registration__"), F("code"), output_field=TextField()))


def printed_details_hash_for_update():
    """The same md5 for `Badge.objects.filter(...).update(details_hash=...)`, where joined
    columns cannot be named: the registration's part is a subquery."""
    details = (
        Registration.objects.filter(pk=OuterRef("registration_id"))
        .annotate(text=Concat(*_details_text(""), output_field=TextField()))
        .values("text")
    )
    return MD5(Concat(Subquery(details), F("code"), output_field=TextField()))


def changed_since_printed(queryset):
    """The printed badges whose details changed since their last print."""
    return (
        queryset.filter(printed_at__isnull=False)
        .alias(current_hash=printed_details_hash())
        .exclude(details_hash=F("current_hash"))
    )


def badges_visible_to(user):
    """Badges of the events `user` may see in the back office (events_visible_to)."""
    return Badge.objects.filter(registration__event__in=events_visible_to(user))


def may_print_badges(user) -> bool:
    return bool(user.is_active and user.is_staff and user.has_perm("badges.print_badges"))


def batches_visible_to(user):
    return BadgeBatch.objects.filter(event__in=events_visible_to(user))


def design_for(event) -> BadgeDesign:
    """The event's badge design, with its colours; the default design (A6, every field) when
    the secretariat has not made one."""
    design = BadgeDesign.objects.filter(event=event).select_related("event").first()
    return design or BadgeDesign(event=event)


def reprints_among(badge_ids) -> int:
    """How many of these badges were printed before (a reprint needs a reason)."""
    return Badge.objects.filter(pk__in=badge_ids, print_count__gt=0).count()


def badge_of(registration: Registration) -> Badge | None:
    """The registration's badge, or None (a registration older than this app, before
    `services.ensure_badges` ran)."""
    return Badge.objects.filter(registration=registration).only("pk", "code").first()
