"""Badge PDFs: each badge laid out in Python (sizes measured by `fit`), drawn by WeasyPrint.

A page holds one, two or four badges (`LAYOUTS`); every box is positioned absolutely in
millimetres, names are set on the lines `fit.fit_text` chose, with `white-space: nowrap`.
The vendored DejaVu Sans (Latin, Cyrillic and the Kazakh letters) is loaded by @font-face
from `badges/fonts/`, so WeasyPrint embeds a subset of it whatever fonts the server has.

Large runs are drawn `CHUNK` badges at a time and the chunks' pages appended to one PDF by
pypdf: WeasyPrint keeps a whole document's layout in memory, so this keeps a 1,000-badge
run's memory flat.
"""

import gc
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import segno
from django.template.loader import render_to_string
from django.utils import translation
from pypdf import PdfWriter

from registrations.models import Registration

from . import fit
from .models import Badge, BadgeDesign
from .tokens import badge_token

CHUNK = 50
DEFAULT_BAND = "#4b5563"


@dataclass(frozen=True)
class Layout:
    page: tuple[float, float]  # width, height in mm
    columns: int
    rows: int

    @property
    def badge(self) -> tuple[float, float]:
        return self.page[0] / self.columns, self.page[1] / self.rows

    @property
    def per_page(self) -> int:
        return self.columns * self.rows


LAYOUTS = {
    BadgeDesign.Size.A6: Layout((105, 148), 1, 1),
    BadgeDesign.Size.A4_TWO_UP: Layout((297, 210), 2, 1),
    BadgeDesign.Size.A4_FOUR_UP: Layout((210, 297), 2, 2),
    BadgeDesign.Size.LABEL: Layout((90, 54), 1, 1),
}


@dataclass(frozen=True)
class Box:
    """A rectangle inside a badge, in mm from its top left corner."""

    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Frame:
    """Where each part of a badge goes for one badge size."""

    event: Box
    name: Box
    latin_name: Box
    organisation: Box
    country: Box
    qr: Box
    band: Box
    name_max_pt: float


def frame_for(width: float, height: float) -> Frame:
    """The boxes of a badge of `width` × `height` mm: portrait badges stack name, details and
    QR above a colour band; a landscape label puts the QR beside the text."""
    pad = max(3.0, round(width * 0.06, 1))
    if height >= width:
        band = Box(0, height * 0.88, width, height * 0.12)
        qr_side = min(width * 0.36, height * 0.24)
        qr = Box((width - qr_side) / 2, band.y - pad - qr_side, qr_side, qr_side)
        inner = width - 2 * pad
        top = pad + height * 0.05
        name = Box(pad, top + height * 0.05, inner, height * 0.19)
        latin = Box(pad, name.y + name.height + 1, inner, height * 0.06)
        organisation = Box(pad, latin.y + latin.height + 2, inner, height * 0.09)
        country = Box(pad, organisation.y + organisation.height + 1, inner, height * 0.045)
        return Frame(
            Box(pad, pad, inner, height * 0.05), name, latin, organisation, country, qr, band,
            name_max_pt=width * 0.26,
        )  # fmt: skip
    band = Box(0, height * 0.8, width, height * 0.2)
    qr_side = band.y - 2 * pad
    qr = Box(width - pad - qr_side, pad, qr_side, qr_side)
    inner = qr.x - 2 * pad
    name = Box(pad, pad + height * 0.1, inner, height * 0.3)
    latin = Box(pad, name.y + name.height + 0.5, inner, height * 0.1)
    organisation = Box(pad, latin.y + latin.height + 0.5, inner, height * 0.12)
    country = Box(pad, organisation.y + organisation.height, inner, height * 0.07)
    return Frame(
        Box(pad, pad * 0.6, inner, height * 0.09), name, latin, organisation, country, qr, band,
        name_max_pt=height * 0.4,
    )  # fmt: skip


def text_colour_on(background: str) -> str:
    """Black or white, whichever reads better on the band's colour (WCAG luminance)."""
    channels = [int(background[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#000000" if luminance > 0.179 else "#ffffff"


@dataclass(frozen=True)
class TextBlock:
    """Fitted lines in their box, with the top offset that centres them vertically (computed
    here: WeasyPrint's flex layout, which could centre them, costs a quarter of the run)."""

    lines: tuple[str, ...]
    size_pt: float
    offset_mm: float


def _fitted(text: str, box: Box, *, max_pt: float, min_pt: float, bold: bool = False):
    fitted = fit.fit_text(
        text,
        width_mm=box.width,
        height_mm=box.height,
        max_pt=max_pt,
        min_pt=min_pt,
        path=fit.BOLD if bold else fit.REGULAR,
    )
    used = len(fitted.lines) * fitted.size_pt * fit.LINE_HEIGHT * fit.MM_PER_PT
    return TextBlock(fitted.lines, fitted.size_pt, round(max(0.0, (box.height - used) / 2), 2))


def badge_content(badge: Badge, design: BadgeDesign, frame: Frame, colours: dict[int, str]):
    """What one badge shows, fitted to its frame (call inside the design's language)."""
    registration: Registration = badge.registration
    native = registration.full_name
    latin = registration.latin_name.strip()
    show_native = design.show_native_name or not (design.show_latin_name and latin)
    main = native if show_native else latin
    second = latin if (design.show_latin_name and show_native and latin != native) else ""
    band = colours.get(registration.category_id, DEFAULT_BAND)
    category = registration.category_name_in_language if design.show_category else ""
    return {
        "name": _fitted(main, frame.name, max_pt=frame.name_max_pt, min_pt=11, bold=True),
        "latin_name": _fitted(second, frame.latin_name, max_pt=14, min_pt=7),
        "organisation": _fitted(
            registration.organisation if design.show_organisation else "",
            frame.organisation,
            max_pt=13,
            min_pt=7,
        ),
        "country": _fitted(
            str(registration.country.name) if design.show_country and registration.country else "",
            frame.country,
            max_pt=11,
            min_pt=6,
        ),
        "category": _fitted(category, frame.band, max_pt=18, min_pt=7, bold=True),
        "band": band,
        "band_text": text_colour_on(band),
        "qr": (
            # One pixel a module, drawn unsmoothed (image-rendering: pixelated): each module
            # is a sharp square at any size, and a tiny PNG costs WeasyPrint far less than
            # parsing an SVG path for every badge.
            segno.make(badge_token(badge), error="m").png_data_uri(scale=1, border=0)
            if design.show_qr
            else ""
        ),
    }


def _pages(items: list[dict], layout: Layout) -> Iterator[list[dict]]:
    width, height = layout.badge
    for start in range(0, len(items), layout.per_page):
        page = []
        for index, item in enumerate(items[start : start + layout.per_page]):
            column, row = index % layout.columns, index // layout.columns
            page.append({**item, "x": column * width, "y": row * height})
        yield page


def render_html(badges: list[Badge], design: BadgeDesign, colours: dict[int, str]) -> str:
    """The HTML WeasyPrint draws for these badges (call inside the design's language)."""
    layout = LAYOUTS[design.size]
    frame = frame_for(*layout.badge)
    items = [badge_content(badge, design, frame, colours) for badge in badges]
    return render_to_string(
        "badges/pdf/badges.html",
        {
            "event": design.event,
            "layout": layout,
            "badge_size": layout.badge,
            "frame": frame,
            "pages": list(_pages(items, layout)),
            "font_regular": fit.REGULAR.as_uri(),
            "font_bold": fit.BOLD.as_uri(),
        },
    )


def _render_chunk(badges: list[Badge], design: BadgeDesign, colours: dict[int, str]) -> bytes:
    # Imported here: WeasyPrint loads Pango and its style sheets, which only printing needs.
    from weasyprint import HTML

    html = render_html(badges, design, colours)
    return HTML(string=html, base_url=str(fit.FONTS)).write_pdf()


def render_badges(
    badges: Iterable[Badge],
    design: BadgeDesign,
    target,
    *,
    progress: Callable[[int], object] | None = None,
) -> int:
    """Write the badges' PDF to the binary file `target`, CHUNK badges at a time (pages in
    the order given); `progress(done)` after each chunk. Returns the number of badges.
    The badges need `registration` loaded (`selectors.badges_for_printing`)."""
    colours = (
        {c.category_id: c.colour for c in design.colours.all()} if design.pk is not None else {}
    )
    writer = PdfWriter()
    done = 0
    chunk: list[Badge] = []
    with translation.override(design.language):
        for badge in badges:
            chunk.append(badge)
            if len(chunk) == CHUNK:
                writer.append(io.BytesIO(_render_chunk(chunk, design, colours)))
                done += len(chunk)
                chunk = []
                # A drawn document is a web of cycles (boxes ↔ parents): free it before the
                # next chunk's layout, so memory stays at one chunk's worth.
                gc.collect()
                if progress:
                    progress(done)
        if chunk or not done:
            writer.append(io.BytesIO(_render_chunk(chunk, design, colours)))
            done += len(chunk)
    writer.add_metadata({"/Title": f"{design.event} — badges"})
    writer.write(target)
    return done
