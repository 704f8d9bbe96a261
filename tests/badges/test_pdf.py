"""Badge PDFs: fonts embedded, every Kazakh letter extractable, long names inside their box."""

import io

import pytest
from pypdf import PdfReader
from weasyprint import HTML

from badges import fit, pdf
from badges.models import BadgeCategoryColour, BadgeDesign
from badges.selectors import badges_for_printing
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = pytest.mark.django_db

KAZAKH_LETTERS = "әғқңөұүһі"
# 60 characters, Kazakh letters throughout, one hyphenated part.
LONG_KAZAKH_NAME = ("Әлібек-Ғабитұлы Қасымжомартов", "Нұрсұлтанұлы Өтегенұлы Һүмбетә")


def _registration(event, **profile):
    category = make_category(event, name_en="Speaker")
    return make_registration(category, delegate=make_delegate(**profile))


def _pdf(design, registrations):
    ids = [registration.badge.pk for registration in registrations]
    target = io.BytesIO()
    pdf.render_badges(badges_for_printing(ids), design, target)
    return PdfReader(io.BytesIO(target.getvalue()))


def test_badge_pdf_embeds_dejavu_and_keeps_every_kazakh_letter(caplog):
    event = make_event()
    registration = _registration(
        event,
        first_name="Әсем",
        last_name="Қуанышқызы",
        latin_name="Assem Kuanyshkyzy",
        organisation="Ұлттық геология қызметі — ғылым, өңдеу, һәм үміт, ұлы",
    )
    design = BadgeDesign.objects.create(event=event)

    reader = _pdf(design, [registration])

    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    # The family of the vendored files (a failed @font-face load would log a warning).
    assert fonts and all(name.endswith(("+DejaVu-Sans", "+DejaVu-Sans-Bold")) for name in fonts)
    assert not [r for r in caplog.records if r.name.startswith("weasyprint") and r.levelno >= 30]
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        assert "/FontFile2" in descriptor.get_object()  # embedded, not merely named
    text = reader.pages[0].extract_text()
    assert "Әсем Қуанышқызы" in text
    assert "Assem Kuanyshkyzy" in text
    assert "Speaker" in text
    assert event.title in text
    for letter in KAZAKH_LETTERS:
        assert letter in text, letter


def test_long_kazakh_name_fits_on_two_lines_inside_the_name_box():
    first, last = LONG_KAZAKH_NAME
    assert len(f"{first} {last}") == 60
    event = make_event()
    registration = _registration(event, first_name=first, last_name=last)
    design = BadgeDesign.objects.create(event=event, size=BadgeDesign.Size.A4_FOUR_UP)
    layout = pdf.LAYOUTS[design.size]
    frame = pdf.frame_for(*layout.badge)

    content = pdf.badge_content(registration.badge, design, frame, {})
    html = pdf.render_html([registration.badge], design, {})
    document = HTML(string=html, base_url=str(fit.FONTS)).render()

    assert len(content["name"].lines) == 2
    assert " ".join(content["name"].lines).replace("- ", "-") == f"{first} {last}"
    lines = [box for box in _boxes(document.pages[0]._page_box) if _is_line_of(box, content)]
    assert len(lines) == 2
    mm = 96 / 25.4  # WeasyPrint's CSS pixels per millimetre
    left, right = frame.name.x * mm, (frame.name.x + frame.name.width) * mm
    top, bottom = frame.name.y * mm, (frame.name.y + frame.name.height) * mm
    for line in lines:
        assert line.position_x >= left - 0.01
        assert line.position_x + line.width <= right
        assert line.position_y >= top - 0.01
        assert line.position_y + line.height <= bottom
    text = _pdf(design, [registration]).pages[0].extract_text()
    assert first in text.replace("-\n", "-") or first.replace("-", "- ") in text
    assert "Нұрсұлтанұлы Өтегенұлы Һүмбетә" in text


def _boxes(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _boxes(child)


def _is_line_of(box, content):
    return type(box).__name__ == "TextBox" and box.text in content["name"].lines


@pytest.mark.parametrize("size", list(BadgeDesign.Size))
def test_short_name_keeps_the_largest_size_on_one_line_for_every_size(size):
    event = make_event()
    registration = _registration(event, first_name="Ann", last_name="Lee")
    design = BadgeDesign.objects.create(event=event, size=size)
    frame = pdf.frame_for(*pdf.LAYOUTS[size].badge)

    content = pdf.badge_content(registration.badge, design, frame, {})

    assert content["name"].lines == ("Ann Lee",)
    assert content["name"].size_pt == pytest.approx(frame.name_max_pt, abs=0.1)
    assert len(_pdf(design, [registration]).pages) == 1


def test_category_colour_band_and_four_badges_on_one_a4_page():
    event = make_event()
    registrations = [_registration(event, last_name=f"Delegate{n}") for n in range(5)]
    design = BadgeDesign.objects.create(event=event, size=BadgeDesign.Size.A4_FOUR_UP)
    BadgeCategoryColour.objects.create(
        design=design, category=registrations[0].category, colour="#ffd700"
    )

    reader = _pdf(design, registrations)
    html = pdf.render_html(
        [r.badge for r in registrations], design, {registrations[0].category_id: "#ffd700"}
    )

    assert len(reader.pages) == 2
    assert [round(float(v)) for v in reader.pages[0].mediabox[2:]] == [595, 842]  # A4 in pt
    assert "background: #ffd700; color: #000000" in html
