"""The invitation letter as a PDF: English and Russian, one page each, on the forum's letterhead.

Each half is rendered from one template inside `translation.override(<language>)`, so the
letter's fixed wording is ordinary translatable text and the event's, forum's and inviting
organisation's names come from their modeltranslation columns in that language. WeasyPrint
lays the HTML out and embeds the DejaVu fonts it uses (subsets), which cover Latin and
Cyrillic; the QR code is a PNG in the HTML (a `data:` URL), encoding the absolute verification
URL (`verification_url`), which is also printed under it for readers without a camera.

A worker renders thousands of these (bench/visas.py), so the fixed costs are paid once per
process (`minex.pdf`: the font configuration and the parsed stylesheet), and the QR code is a
bitmap of one pixel per module: WeasyPrint embeds it once and draws it on both pages, where an
inline SVG path (hundreds of segments) was parsed, measured and drawn again on each page.
"""

import datetime
from dataclasses import dataclass

import segno
from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from minex import pdf

from ..models import VisaLetter, VisaPolicy

# The languages of the letter, in the order of its pages: English for the consulate abroad,
# Russian for the Kazakh authorities.
LETTER_LANGUAGES = ("en", "ru")
DOCUMENT_TEMPLATE = "visas/letter/document.html"
PAGE_TEMPLATE = "visas/letter/page.html"
STYLESHEET_TEMPLATE = "visas/letter/letter.css"


def verification_path(token: str) -> str:
    """The page in the active language (under its prefix)."""
    return reverse("visa_letters:verify", args=[token])


def printed_verification_path(token: str) -> str:
    """The path printed on the letter: no language prefix (it redirects to the page in the
    reader's language)."""
    return reverse("visa_letters_verify:verify", args=[token])


def verification_url(letter: VisaLetter) -> str:
    """The absolute URL anyone can open to check the letter (no language prefix: the page
    answers in the reader's browser language)."""
    return settings.SITE_URL + printed_verification_path(letter.verification_token)


def qr_png_data_url(url: str) -> str:
    """A QR code for `url` as a `data:` URL of a PNG with one pixel per module and a quiet
    zone of two (medium error correction survives a crease or a stamp; the stylesheet sets
    the printed size and turns smoothing off)."""
    return segno.make(url, error="m", micro=False).png_data_uri(scale=1, border=2)


@dataclass(frozen=True)
class Inviter:
    """Who invites, in the active language: the event's policy, or the forum itself."""

    organisation: str
    address: str
    signatory_name: str
    signatory_position: str


def _inviter(letter: VisaLetter) -> Inviter:
    event = letter.request.registration.event
    try:
        policy = event.visa_policy
    except VisaPolicy.DoesNotExist:
        policy = None
    if policy is None:
        return Inviter(event.forum.name, "", "", "")
    return Inviter(
        policy.inviting_organisation,
        policy.inviting_organisation_address,
        policy.signatory_name,
        policy.signatory_position,
    )


def issued_on(letter: VisaLetter) -> datetime.date:
    """The letter's date: the day its version was issued, on the event's clock."""
    event = letter.request.registration.event
    return timezone.localtime(letter.created_at, event.tz).date()


def registered_name(visa_request) -> str:
    """The delegate's name as registered, in their own script (e.g. Cyrillic), when it is not
    simply the passport's Latin name: the host's officials read both (empty otherwise)."""
    registration = visa_request.registration
    name = f"{registration.first_name} {registration.last_name}".strip()
    passport = {visa_request.surname.casefold(), visa_request.given_names.casefold()}
    if not name or set(name.casefold().split()) <= set(" ".join(passport).split()):
        return ""
    return name


def letter_page(letter: VisaLetter, language: str, *, qr: str, url: str) -> SafeString:
    """One language's page of the letter (HTML)."""
    visa_request = letter.request
    registration = visa_request.registration
    with translation.override(language):
        return mark_safe(  # noqa: S308 - a rendered template (autoescaped)
            render_to_string(
                PAGE_TEMPLATE,
                {
                    "language": language,
                    "letter": letter,
                    "visa_request": visa_request,
                    "event": registration.event,
                    "forum": registration.event.forum,
                    "inviter": _inviter(letter),
                    "secretariat_email": registration.event.secretariat_address,
                    "issued_on": issued_on(letter),
                    "qr": qr,
                    "verification_url": url,
                    "registered_name": registered_name(visa_request),
                },
            )
        )


def letter_html(letter: VisaLetter) -> str:
    """The whole letter as one HTML document: a page per language in `LETTER_LANGUAGES`."""
    url = verification_url(letter)
    # The same URL on both pages: WeasyPrint decodes and embeds the image once.
    qr = qr_png_data_url(url)
    pages = [letter_page(letter, language, qr=qr, url=url) for language in LETTER_LANGUAGES]
    with translation.override(LETTER_LANGUAGES[0]):
        return render_to_string(DOCUMENT_TEMPLATE, {"letter": letter, "pages": pages})


def letter_pdf(letter: VisaLetter) -> bytes:
    """The letter as PDF bytes (fonts embedded). Needs the request, registration, event,
    forum and policy: load the letter with `select_related` (see `rendering.letter_for_render`)."""
    html = letter_html(letter)
    # Everything the letter shows is in the HTML or the stylesheet: fetching nothing but
    # `data:` URLs (the QR code) means no text a delegate typed can make the worker open a
    # file or a URL.
    fetcher = URLFetcher(allowed_protocols=("data",))
    return HTML(string=html, url_fetcher=fetcher).write_pdf(
        font_config=pdf.font_config(), stylesheets=[pdf.stylesheet(STYLESHEET_TEMPLATE)]
    )


def letter_filename(letter: VisaLetter) -> str:
    """The downloaded file's name: the letter number, which the delegate quotes."""
    return f"visa-letter-{letter.number}.pdf"
