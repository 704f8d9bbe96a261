"""Fitting a name into a box: a font size measured from the font's own glyph widths.

CSS cannot shrink text to fit, and a name wrapped by the browser may break badly (one word
on a second line, a long Kazakh patronymic overflowing). So the badge's names are laid out
here: the width of a string is the sum of its glyphs' advance widths in the vendored DejaVu
Sans (the font the PDF embeds), and the size is the largest that fits the box on one line,
or on two lines split at the space that balances them best. The PDF renders the lines as
given, with `white-space: nowrap`, so WeasyPrint never re-wraps them.
"""

import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fontTools.ttLib import TTFont

FONTS = Path(__file__).resolve().parent / "fonts"
REGULAR = FONTS / "DejaVuSans.ttf"
BOLD = FONTS / "DejaVuSans-Bold.ttf"

MM_PER_PT = 25.4 / 72
# Pango applies kerning and may round differently: keep a margin so a measured fit is a fit.
SAFETY = 0.97
LINE_HEIGHT = 1.15


@dataclass(frozen=True)
class Metrics:
    advances: dict[int, int]  # code point → advance width in font units
    units_per_em: int
    fallback: int  # the advance of .notdef, for characters the font lacks


@lru_cache(maxsize=4)
def metrics(path: Path = BOLD) -> Metrics:
    font = TTFont(path, lazy=True)
    hmtx = font["hmtx"]
    advances = {code: hmtx[name][0] for code, name in font.getBestCmap().items()}
    fallback = hmtx[".notdef"][0]
    units = font["head"].unitsPerEm
    font.close()
    return Metrics(advances, units, fallback)


def text_width_mm(text: str, size_pt: float, path: Path = BOLD) -> float:
    """The width of `text` set on one line at `size_pt` in the font at `path`."""
    font = metrics(path)
    units = sum(font.advances.get(ord(char), font.fallback) for char in text)
    return units / font.units_per_em * size_pt * MM_PER_PT


@dataclass(frozen=True)
class FittedText:
    lines: tuple[str, ...]
    size_pt: float


def _best_split(text: str, path: Path) -> tuple[str, str] | None:
    """The two-line split at a space (or after a hyphen) that makes the longer line shortest."""
    best, best_width = None, None
    for cut in range(1, len(text)):
        if text[cut] == " ":
            first, second = text[:cut], text[cut + 1 :]
        elif text[cut - 1] == "-":
            first, second = text[:cut], text[cut:]
        else:
            continue
        width = max(text_width_mm(first, 1, path), text_width_mm(second, 1, path))
        if best_width is None or width < best_width:
            best, best_width = (first, second), width
    return best


def _split_by_characters(text: str, path: Path) -> tuple[str, str]:
    """A single word too long for one line: cut it where the halves are closest in width."""
    best, best_width = (text, ""), None
    for cut in range(1, len(text)):
        width = max(text_width_mm(text[:cut], 1, path), text_width_mm(text[cut:], 1, path))
        if best_width is None or width < best_width:
            best, best_width = (text[:cut], text[cut:]), width
    return best


def _size_for(lines: tuple[str, ...], width_mm: float, height_mm: float, path: Path) -> float:
    widest = max(text_width_mm(line, 1, path) for line in lines) or 1e-9
    by_width = width_mm * SAFETY / widest
    by_height = height_mm / (len(lines) * LINE_HEIGHT * MM_PER_PT)
    return min(by_width, by_height)


def fit_text(
    text: str,
    *,
    width_mm: float,
    height_mm: float,
    max_pt: float,
    min_pt: float,
    path: Path = BOLD,
) -> FittedText:
    """The lines and size to set `text` in a box of `width_mm` × `height_mm`.

    One line at the largest size up to `max_pt`, unless that is below `min_pt` or two lines
    (split at the best space) give a size larger by more than a fifth: a long name reads
    better on two big lines than on one small one. When even two lines need less than
    `min_pt`, the size goes down as far as needed: the text never overflows the box."""
    text = " ".join(text.split())
    if not text:
        return FittedText((), max_pt)
    one = (text,)
    one_size = min(max_pt, _size_for(one, width_mm, height_mm, path))
    halves = _best_split(text, path)
    if halves is None and one_size < min_pt:
        halves = _split_by_characters(text, path)
    if halves is None:
        return FittedText(one, _round_down(one_size))
    two_size = min(max_pt, _size_for(halves, width_mm, height_mm, path))
    if one_size >= two_size or (one_size >= min_pt and one_size * 1.2 >= two_size):
        return FittedText(one, _round_down(one_size))
    return FittedText(halves, _round_down(two_size))


def _round_down(size: float) -> float:
    return math.floor(size * 10) / 10
