"""Issue 16's journey in Chromium, in Russian, under the Content-Security-Policy: a focal
point registers a delegation of four — one in the invite-only Government category with a
free government code, two adding the gala dinner — and sees them on "My delegation"; every
member and the focal point (copies) receive their e-mails on a real SMTP server; then a
sponsor's contact names two people for two of the five places of the sponsor's package, and
the secretariat's admin shows two used and three unused."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from addons.models import AddOnBooking
from delegations.models import Delegation, Package, PackagePasses
from delegations.services import sync_package_slots
from registrations.models import Registration
from tests.addons.factories import make_add_on
from tests.delegations.conftest import ensure_default_ranks
from tests.e2e.conftest import BrowserProblems, assert_accessible, assert_fits_a_phone, log_in
from tests.factories import make_category, make_delegate, make_event, make_user
from tests.pricing.factories import make_free_code

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FOCAL_POINT = "protocol@minprom.gov.kz"
MEMBERS = [
    # email, first name, last name, category key, rank, code, gala
    ("minister@minprom.gov.kz", "Канат", "Шарлапаев", "government", "Министр", "gov-2026", False),
    ("deputy@minprom.gov.kz", "Иран", "Шарханов", "delegate", "Заместитель министра", "", True),
    ("director@minprom.gov.kz", "Айгуль", "Нурланова", "delegate", "", "", True),
    ("adviser@minprom.gov.kz", "Ерлан", "Касымов", "delegate", "", "", False),
]


def test_focal_point_registers_a_delegation_and_a_sponsor_fills_two_slots(
    live_server, page: Page, mailbox, axe
):
    ensure_default_ranks()  # a transactional test: the migration's rows may be gone
    event = make_event(
        title_en="16th MINEX Forum", title_ru="16-й Форум MINEX", city_ru="Астана", capacity=50
    )
    delegate = make_category(event, name_en="Delegate", name_ru="Делегат", price=Decimal("500"))
    government = make_category(
        event, name_en="Government", name_ru="Правительство", price=Decimal("500"),
        invite_only=True,
    )  # fmt: skip
    make_free_code(event, categories=[government], code="GOV-2026", usage_limit=5)
    gala = make_add_on(event, name_en="Gala dinner", name_ru="Гала-ужин",
                       price=Decimal("100"), capacity=20)  # fmt: skip
    categories = {"delegate": delegate, "government": government}
    focal_point = make_delegate(FOCAL_POINT, first_name="Сауле", last_name="Ахметова",
                                preferred_language="ru")  # fmt: skip

    # The focal point fills the delegation form in Russian.
    log_in(page, live_server, focal_point)
    problems = BrowserProblems(page)
    problems.visit(f"{live_server.url}/ru/events/{event.slug}/delegation/")
    expect(page.locator("fieldset.member")).to_have_count(4)
    assert_accessible(axe, page)
    page.locator("input[name=name]").fill("Министерство промышленности и строительства")
    for n, (email, first, last, key, rank, code, with_gala) in enumerate(MEMBERS):
        row = page.locator("fieldset.member").nth(n)
        row.locator(f"input[name='members-{n}-email']").fill(email)
        row.locator(f"input[name='members-{n}-first_name']").fill(first)
        row.locator(f"input[name='members-{n}-last_name']").fill(last)
        row.locator(f"select[name='members-{n}-category']").select_option(str(categories[key].pk))
        if rank:
            row.locator(f"select[name='members-{n}-rank']").select_option(label=rank)
        if code:
            row.locator(f"input[name='members-{n}-code']").fill(code)
        if with_gala:
            row.locator(f"input[name='members-{n}-add_ons'][value='{gala.pk}']").check()
        expect(row.locator(f"label[for='id_members-{n}-category']")).to_contain_text("Категория")
    page.locator("input[name=consent_privacy]").check()
    page.locator("form.delegation-form button[type=submit]").click()

    # "My delegation": the four, in the order given, with ranks and statuses in Russian.
    delegation = Delegation.objects.get(focal_point=focal_point)
    expect(page).to_have_url(f"{live_server.url}/ru/my/delegations/{delegation.pk}/")
    table = page.locator("table.members tbody tr")
    expect(table).to_have_count(4)
    expect(table.nth(0)).to_contain_text("Канат Шарлапаев")
    expect(table.nth(0)).to_contain_text("Министр")
    expect(table.nth(0)).to_contain_text("Правительство")
    expect(table.nth(1)).to_contain_text("Заместитель министра")
    for n in range(4):
        expect(table.nth(n)).to_contain_text("Подтверждена")
    assert_accessible(axe, page)
    page.set_viewport_size({"width": 375, "height": 800})
    assert_fits_a_phone(page)
    page.set_viewport_size({"width": 1366, "height": 900})
    problems.check()

    # Prices: the government place free, the gala added for two, the adviser pays the fee.
    prices = dict(Registration.objects.filter(event=event).values_list("email", "price"))
    assert prices == {
        "minister@minprom.gov.kz": Decimal("0.00"),
        "deputy@minprom.gov.kz": Decimal("600.00"),
        "director@minprom.gov.kz": Decimal("600.00"),
        "adviser@minprom.gov.kz": Decimal("500.00"),
    }
    assert AddOnBooking.objects.filter(add_on=gala, status="confirmed").count() == 2

    # Each member's own e-mail, in Russian, with the way to set a password; and a copy of
    # each to the focal point.
    for email, first, last, *_rest in MEMBERS:
        message = mailbox.latest_to(email)
        assert mailbox.subject_of(message).startswith("Регистрация подтверждена")
        assert f"{first} {last}" in mailbox.text_of(message)
        assert "/accounts/password/reset/" in mailbox.text_of(message)
    copies = mailbox.messages_to(FOCAL_POINT)
    assert len(copies) == 4
    assert any("Канат Шарлапаев" in mailbox.text_of(copy) for copy in copies)

    # A sponsor's contact names two people for two of the package's five places.
    contact = make_delegate("partnerships@steppegold.kz", preferred_language="ru")
    package = Package.objects.create(
        event=event, name="Золотой спонсор", sponsor="Steppe Gold", contact=contact,
        cutoff=timezone.now() + datetime.timedelta(days=7),
    )  # fmt: skip
    PackagePasses.objects.create(package=package, category=delegate, count=5)
    sync_package_slots(package)
    page.context.clear_cookies()
    log_in(page, live_server, contact)
    problems.visit(f"{live_server.url}/ru/my/delegations/")
    page.get_by_role("link", name="Steppe Gold — Золотой спонсор").click()
    for first, last, email in [("Алия", "Серикова", "aliya@steppegold.kz"),
                               ("Тимур", "Беков", "timur@steppegold.kz")]:  # fmt: skip
        page.locator("ol.slots li a").first.click()
        page.locator("input[name=email]").fill(email)
        page.locator("input[name=first_name]").fill(first)
        page.locator("input[name=last_name]").fill(last)
        page.locator("input[name=consent_privacy]").check()
        page.locator("form.slot-form button[type=submit]").click()
        expect(page.locator("ol.slots")).to_contain_text(f"{first} {last}")
    expect(page.locator("ol.slots li a")).to_have_count(3)
    assert_accessible(axe, page)
    problems.check()
    assert set(
        Registration.objects.filter(package_slot__package=package).values_list("price", flat=True)
    ) == {Decimal("0.00")}
    assert mailbox.subject_of(mailbox.latest_to("aliya@steppegold.kz")).startswith(
        "Регистрация подтверждена"
    )

    # The secretariat's admin: two used, three unused.
    page.context.clear_cookies()
    log_in(page, live_server, make_user(is_staff=True, is_superuser=True))
    problems.visit(f"{live_server.url}/ru/admin/delegations/package/")
    row = page.locator("#result_list tbody tr").first
    expect(row.locator("td.field-used")).to_have_text("2")
    expect(row.locator("td.field-unused")).to_have_text("3")
    problems.check()
