"""What the check-in journeys (tests/e2e/test_checkin_*.py) share: a forum's door with its
staff and delegates, badges' QR codes as a photo (PNG) or as Chromium's fake camera (a Y4M
video), and the page's address."""

import io
from dataclasses import dataclass
from pathlib import Path

import segno
from django.core.management import call_command
from playwright.sync_api import Page, expect

from accounts.models import User
from badges.tokens import badge_token
from checkin.models import Zone
from registrations.models import Registration
from registrations.roles import CHECKIN_STAFF
from registrations.services import cancel_registration
from tests.badges.conftest import make_staff
from tests.factories import make_category, make_delegate, make_event, make_forum, make_registration

# Signed by nobody: the right shape, a made-up signature.
FORGED_TOKEN = "AAAAAAAAAAAAAAAAAAAAAA.BBBBBBBBBBBBBBBB"


@dataclass
class Door:
    event: object
    staff: User
    asem: Registration  # Әсем Қуанышқызы, confirmed
    john: Registration  # John Smith, confirmed
    cancelled: Registration  # Dana Petrova, cancelled by the secretariat
    gala: Zone  # the gala dinner: speakers only

    def url(self, live_server) -> str:
        return f"{live_server.url}/staff/checkin/{self.event.pk}/"


def make_door() -> Door:
    """An event a check-in staff member of its forum may scan for, with three delegates and
    a zone besides the entrance."""
    call_command("setup_roles", stdout=io.StringIO())
    forum = make_forum(name_en="MINEX Central Asia")
    event = make_event(forum, title_en="MINEX Central Asia 2026")
    category = make_category(event, name_en="Delegate")
    asem = make_registration(
        category,
        delegate=make_delegate(
            first_name="Әсем",
            last_name="Қуанышқызы",
            latin_name="Asem Kuanyshkyzy",
            organisation="Steppe Minerals LLP",
        ),
    )
    john = make_registration(
        category,
        delegate=make_delegate(first_name="John", last_name="Smith", organisation="Ore Co"),
    )
    cancelled = make_registration(
        category,
        delegate=make_delegate(first_name="Dana", last_name="Petrova", organisation="Cu Ltd"),
    )
    cancel_registration(cancelled, acting_user=None, reason="Travel plans changed")
    gala = Zone.objects.create(event=event, name_en="Gala dinner", position=1)
    gala.categories.set([make_category(event, name_en="Speaker")])
    staff = make_staff("door@minexforum.com", group=CHECKIN_STAFF, forums=[forum])
    return Door(event=event, staff=staff, asem=asem, john=john, cancelled=cancelled, gala=gala)


def token_of(registration: Registration) -> str:
    registration.refresh_from_db()
    return badge_token(registration.badge)


def qr_png(text: str, path: Path) -> Path:
    """A photo of a badge's QR, as a phone's camera would save it (big, with a quiet zone)."""
    segno.make(text, error="m").save(str(path), kind="png", scale=8, border=6)
    return path


def qr_video(text: str, path: Path, *, width: int = 640, height: int = 480) -> Path:
    """A Y4M video (Chromium's --use-file-for-fake-video-capture) of the QR held still in
    front of the camera: a text header, then raw 4:2:0 frames (the luma plane carries the
    code; both chroma planes are neutral grey)."""
    rows = [
        bytes(16 if dark else 235 for dark in row)
        for row in segno.make(text, error="m").matrix_iter(scale=8, border=4)
    ]
    size = len(rows)
    top, left = (height - size) // 2, (width - size) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for index, row in enumerate(rows):
        start = (top + index) * width + left
        luma[start : start + size] = row
    chroma = b"\x80" * ((width // 2) * (height // 2))
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    with path.open("wb") as video:
        video.write(f"YUV4MPEG2 W{width} H{height} F8:1 Ip A1:1 C420jpeg\n".encode("ascii"))
        video.write(frame * 2)
    return path


def verdict(page: Page):
    """The answer panel."""
    return page.locator("#checkin-result")


def expect_verdict(page: Page, colour: str, word: str, *texts: str, timeout=None) -> None:
    panel = verdict(page)
    expect(panel).to_have_attribute("data-colour", colour, timeout=timeout)
    expect(panel.locator("[data-result-word]")).to_have_text(word)
    for text in texts:
        expect(panel).to_contain_text(text)


def scan_photo(page: Page, png: Path) -> None:
    page.get_by_label("Or scan from a photo of the badge").set_input_files(str(png))
