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
from visas.letters.document import letter_html, letter_pdf, verification_url
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


def _svg_modules(svg: str) -> tuple[set[tuple[int, int]], int]:
    """The dark modules (row, column) drawn by segno's SVG path, and the quiet zone's width."""
    path = re.search(r'<path[^>]* d="([^"]+)"', svg).group(1)
    x = y = 0.0
    dark = set()
    for command, numbers in re.findall(r"([MmHh])([-\d. ]+)", path):
        values = [float(number) for number in numbers.split()]
        if command == "M":
            x, y = values
        elif command == "m":
            x, y = x + values[0], y + values[1]
        else:
            end = x + values[0] if command == "h" else values[0]
            dark.update((int(y), column) for column in range(int(x), int(end)))
            x = end
    border = int(min(column for _row, column in dark))
    return {(row - border, column - border) for row, column in dark}, border


def test_qr_code_encodes_the_verification_url(letter):
    html = letter_html(letter)

    svgs = re.findall(r'<svg[^>]*class="qr".*?</svg>', html, flags=re.S)
    assert len(svgs) == 2  # one on each page
    modules, _border = _svg_modules(svgs[0])
    expected = segno.make(verification_url(letter), error="m", micro=False)
    assert modules == {
        (row, column)
        for row, line in enumerate(expected.matrix)
        for column, bit in enumerate(line)
        if bit
    }
    # A QR code for another URL would differ: the comparison means something.
    other = segno.make(verification_url(letter) + "x", error="m", micro=False)
    assert modules != {
        (row, column)
        for row, line in enumerate(other.matrix)
        for column, bit in enumerate(line)
        if bit
    }


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
