"""The letter's PDF: English and Russian pages with the passport data, the letter number, the
inviting organisation in each language, and a QR code that encodes the verification URL."""

import io
import re

import pypdf
import pytest
import segno
from django.conf import settings

from tests.factories import make_delegate, make_registration, make_visa_request
from tests.visas.letters import issue_letter
from visas.letters.document import letter_pdf, verification_url
from visas.letters.rendering import letter_for_render
from visas.models import VisaPolicy

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter():
    visa_request = make_visa_request()
    VisaPolicy.objects.create(
        event=visa_request.registration.event,
        inviting_organisation_en="Minex Kazakhstan LLP",
        inviting_organisation_ru="ТОО «Майнекс Казахстан»",
        inviting_organisation_address_en="12 Kabanbay Batyr Ave, Astana",
        signatory_name_en="Aliya Seitkali",
        signatory_position_en="Director",
    )
    return letter_for_render(issue_letter(visa_request).pk)


def pdf_pages(letter) -> list[str]:
    reader = pypdf.PdfReader(io.BytesIO(letter_pdf(letter)))
    return [page.extract_text() for page in reader.pages]


def test_pdf_has_an_english_and_a_russian_page_with_the_passport_data(letter):
    english, russian = pdf_pages(letter)

    for page in (english, russian):
        assert "SMITH" in page
        assert "JOHN PAUL" in page
        assert "123456789" in page
        assert "17.05.1980" in page
        assert letter.number in page
    assert "Minex Kazakhstan LLP" in english
    assert "United Kingdom" in english
    assert "Kazakhstan" in english
    # The Russian page: the inviting organisation's Russian name, country names in Russian.
    assert "ТОО «Майнекс Казахстан»" in russian
    assert "Великобритания" in russian
    assert "Казахстан" in russian
    assert "Майнекс" not in english


def test_pdf_embeds_its_fonts(letter):
    reader = pypdf.PdfReader(io.BytesIO(letter_pdf(letter)))

    fonts = reader.pages[1]["/Resources"]["/Font"]
    descriptors = []
    for font in fonts.values():
        font = font.get_object()
        for each in font.get("/DescendantFonts", [font]):
            descriptors.append(each.get_object()["/FontDescriptor"])
    assert descriptors
    for descriptor in descriptors:
        assert "DejaVu" in descriptor["/FontName"]
        assert any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def test_pdf_prints_the_verification_url(letter):
    url = verification_url(letter)

    english, russian = pdf_pages(letter)

    assert url == f"{settings.SITE_URL}/visas/verify/{letter.verification_token}/"
    for page in (english, russian):
        assert url in re.sub(r"\s+", "", page)


def _dark_modules(matrix) -> set[tuple[int, int]]:
    return {
        (row, column) for row, line in enumerate(matrix) for column, bit in enumerate(line) if bit
    }


def _printed_qr_modules(image) -> set[tuple[int, int]]:
    """The dark modules (row, column) of the QR code as the PDF embeds it: one pixel per
    module, inside a quiet zone of two light modules."""
    bitmap = image.image.convert("L")
    width, height = bitmap.size
    assert width == height
    pixels = bitmap.load()
    border = 2
    assert all(pixels[x, y] > 127 for x in range(width) for y in (0, 1, height - 2, height - 1))
    return {
        (y - border, x - border)
        for y in range(border, height - border)
        for x in range(border, width - border)
        if pixels[x, y] < 128
    }


def test_qr_code_printed_on_both_pages_encodes_the_verification_url(letter):
    reader = pypdf.PdfReader(io.BytesIO(letter_pdf(letter)))

    expected = _dark_modules(segno.make(verification_url(letter), error="m", micro=False).matrix)
    for page in reader.pages:
        (image,) = page.images
        assert _printed_qr_modules(image) == expected
    # A QR code for another URL would differ: the comparison means something.
    other = segno.make(verification_url(letter) + "x", error="m", micro=False)
    assert _dark_modules(other.matrix) != expected


def test_letter_without_a_policy_is_signed_by_the_forums_secretariat():
    letter = letter_for_render(issue_letter().pk)
    forum = letter.request.registration.event.forum

    english, _russian = pdf_pages(letter)

    assert f"The secretariat of {forum.name}" in english


def test_letter_names_the_delegate_in_latin_and_in_their_own_cyrillic_script():
    delegate = make_delegate(first_name="Айгерим", last_name="Нұрланова")
    registration = make_registration(delegate=delegate, visa_letter_needed=True, nationality="KZ")
    visa_request = make_visa_request(registration, surname="NURLANOVA", given_names="AIGERIM")
    letter = letter_for_render(issue_letter(visa_request).pk)

    english, russian = pdf_pages(letter)

    for page in (english, russian):
        assert "NURLANOVA" in page and "AIGERIM" in page
        assert "Айгерим Нұрланова" in page
        assert letter.number in page


def test_letter_leaves_out_a_registered_name_that_is_the_passport_name():
    registration = make_registration(visa_letter_needed=True, nationality="KZ")  # Aigerim Nurlanova
    visa_request = make_visa_request(registration, surname="NURLANOVA", given_names="AIGERIM")

    english, _russian = pdf_pages(letter_for_render(issue_letter(visa_request).pk))

    assert "own script" not in english
    assert "Aigerim Nurlanova" not in english
