"""The public site: each page in each language, drafts hidden, translated 404s, query counts."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.factories import make_event, make_forum

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "ru", "kk"]


def _text(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_groups_upcoming_events_by_forum_in_each_language(client, language):
    asia = make_forum(name_en="MINEX Asia", name_ru="MINEX Азия", display_order=2)
    europe = make_forum(name_en="MINEX Europe", name_ru="MINEX Европа", display_order=1)
    make_event(asia, title_en="12th MINEX Asia", title_ru="12-й MINEX Asia")
    make_event(europe, title_en="10th MINEX Europe", title_ru="10-й MINEX Europe")

    response = client.get(f"/{language}/")

    assert response.status_code == 200
    page = _text(response)
    assert f'<html lang="{language}">' in page
    europe_name = "MINEX Европа" if language == "ru" else "MINEX Europe"
    asia_name = "MINEX Азия" if language == "ru" else "MINEX Asia"
    assert page.index(europe_name) < page.index(asia_name)  # the forums' display order


def test_home_in_russian_shows_russian_text(client):
    make_event(title_en="10th MINEX Europe", title_ru="10-й MINEX Europe, Ирландия")
    page = _text(client.get("/ru/"))
    assert "10-й MINEX Europe, Ирландия" in page
    assert "Предстоящие форумы" in page  # the template's own heading, translated


def test_home_lists_a_forum_between_editions(client):
    make_forum(name_en="MINEX Eurasia")
    page = _text(client.get("/en/"))
    assert "MINEX Eurasia" in page
    assert "The next edition will be announced soon." in page


def test_home_puts_past_events_apart(client):
    today = timezone.localdate()
    make_event(title_en="Astana 2026", start_date=today - datetime.timedelta(days=200))
    make_event(title_en="Dublin 2026")
    page = _text(client.get("/en/"))
    upcoming, past = page.split("Past forums", 1)
    assert "Dublin 2026" in upcoming and "Astana 2026" not in upcoming
    assert "Astana 2026" in past


def test_home_hides_drafts(client):
    make_event(title_en="Secret draft edition", status="draft")
    assert "Secret draft edition" not in _text(client.get("/en/"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("events", [1, 3])
def test_home_query_count_is_constant(client, django_assert_num_queries, language, events):
    for _ in range(events):
        make_event(make_forum())
    with django_assert_num_queries(2):  # forums, events
        assert client.get(f"/{language}/").status_code == 200


@pytest.mark.parametrize("language", LANGUAGES)
def test_event_page_shows_dates_venue_programme_in_one_query(
    client, django_assert_num_queries, language
):
    event = make_event(
        title_en="10th MINEX Europe",
        title_ru="10-й MINEX Europe",
        venue_en="Convention Centre Dublin",
        programme_en="Day one: critical raw materials.",
        programme_ru="День первый: критическое сырьё.",
        start_date=datetime.date(2027, 12, 9),
        end_date=datetime.date(2027, 12, 10),
    )
    with django_assert_num_queries(1):
        response = client.get(f"/{language}/events/{event.slug}/")
    assert response.status_code == 200
    page = _text(response)
    assert "Convention Centre Dublin" in page
    assert 'datetime="2027-12-09"' in page and 'datetime="2027-12-10"' in page
    if language == "ru":
        assert "10-й MINEX Europe" in page and "День первый: критическое сырьё." in page
    else:
        assert "10th MINEX Europe" in page and "Day one: critical raw materials." in page


def test_event_page_offers_register_while_registration_is_open(client):
    event = make_event()
    page = _text(client.get(f"/en/events/{event.slug}/"))
    assert "Registration is open." in page
    assert ">Register<" in page


def test_event_page_says_not_yet_open_with_the_opening_date(client):
    opens = timezone.now() + datetime.timedelta(days=3)
    event = make_event(registration_opens_at=opens, registration_closes_at=None)
    page = _text(client.get(f"/en/events/{event.slug}/"))
    assert "Registration is not yet open." in page
    assert ">Register<" not in page


def test_event_page_says_closed_in_russian(client):
    now = timezone.now()
    event = make_event(
        registration_opens_at=now - datetime.timedelta(days=9),
        registration_closes_at=now - datetime.timedelta(days=1),
    )
    page = _text(client.get(f"/ru/events/{event.slug}/"))
    assert "Регистрация закрыта." in page
    assert ">Зарегистрироваться<" not in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_draft_event_is_not_found(client, language):
    event = make_event(status="draft")
    assert client.get(f"/{language}/events/{event.slug}/").status_code == 404


def test_unknown_slug_gets_the_translated_404_page(client):
    response = client.get("/ru/events/no-such-forum/")
    assert response.status_code == 404
    assert "Страница не найдена" in _text(response)


def test_unknown_language_prefix_is_not_found(client):
    response = client.get("/xx/")
    assert response.status_code == 404
    assert "Page not found" in _text(response)


def test_root_redirects_to_a_language_prefix(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 302
    assert response["Location"] == "/ru/"


def test_language_switcher_stays_on_the_same_page(client):
    event = make_event()
    page = _text(client.get(f"/en/events/{event.slug}/"))
    for language in LANGUAGES:
        assert f'href="/{language}/events/{event.slug}/" hreflang="{language}"' in page


@pytest.mark.parametrize("language", LANGUAGES)
def test_privacy_policy_shows_its_version(client, language):
    from legal.policies import current_privacy_policy

    response = client.get(f"/{language}/privacy/")
    assert response.status_code == 200
    assert current_privacy_policy().version in _text(response)


def test_unknown_privacy_policy_version_is_not_found(client):
    assert client.get("/en/privacy/1999-01/").status_code == 404


def test_server_error_page_is_friendly_and_translated(rf):
    from django.utils import translation

    from minex.errors import server_error

    with translation.override("ru"):
        response = server_error(rf.get("/ru/"))
    assert response.status_code == 500
    assert "Что-то пошло не так" in response.content.decode()


def test_staff_see_links_to_dashboards_and_administration(client):
    from tests.factories import make_user

    client.force_login(make_user(is_staff=True))
    page = _text(client.get("/en/"))
    assert 'href="/en/staff/"' in page and 'href="/en/admin/"' in page


def test_delegates_see_no_back_office_links(client):
    from tests.factories import make_delegate

    client.force_login(make_delegate())
    page = _text(client.get("/en/"))
    assert 'href="/en/staff/"' not in page and 'href="/en/admin/"' not in page


def test_an_event_is_past_when_its_last_day_is_over_in_its_own_time_zone(client, monkeypatch):
    import datetime as dt

    from django.utils import timezone as django_timezone

    # 20:00 UTC on 16 April is already 17 April in Astana (UTC+5), still 16 April in London.
    frozen = dt.datetime(2027, 4, 16, 20, 0, tzinfo=dt.UTC)
    monkeypatch.setattr(django_timezone, "now", lambda: frozen)
    day = dt.date(2027, 4, 16)
    make_event(title_en="Astana edition", time_zone="Asia/Almaty", start_date=day, end_date=day)
    make_event(title_en="London edition", time_zone="Europe/London", start_date=day, end_date=day)
    upcoming, past = _text(client.get("/en/")).split("Past forums", 1)
    assert "London edition" in upcoming and "Astana edition" not in upcoming
    assert "Astana edition" in past


# Header and footer -------------------------------------------------------------------------


def _header(response) -> str:
    return _text(response).split('<header class="site-header">')[1].split("</header>")[0]


def _footer(response) -> str:
    return _text(response).split('<footer class="site-footer">')[1].split("</footer>")[0]


@pytest.mark.parametrize("language", LANGUAGES)
def test_anonymous_visitors_see_log_in_and_sign_up_in_the_header(client, language):
    header = _header(client.get(f"/{language}/"))
    assert f'href="/{language}/accounts/login/"' in header
    assert f'href="/{language}/accounts/signup/"' in header


def test_signed_in_delegates_are_not_offered_to_sign_up(client):
    from tests.factories import make_delegate

    client.force_login(make_delegate())
    header = _header(client.get("/en/"))
    assert "/accounts/signup/" not in header and "/accounts/login/" not in header


def test_header_shows_the_minex_logo_with_a_text_alternative(client):
    header = _header(client.get("/ru/"))
    logo = re.search(r'<img class="brand__logo" src="([^"]+)"[^>]* alt="([^"]+)"', header)
    assert logo, header
    assert logo.group(1) == "/static/img/minex-logo.svg"
    assert logo.group(2) == "Форум MINEX"
    assert client.get(logo.group(1)).status_code == 200


def test_every_page_names_an_svg_icon(client):
    page = _text(client.get("/en/"))
    icon = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', page)
    assert icon and icon.group(1) == "/static/img/favicon.svg"
    response = client.get(icon.group(1))
    assert response.status_code == 200
    assert b"<svg" in b"".join(response.streaming_content)


def test_favicon_ico_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml"
    assert response.content.startswith(b"<svg")
    assert "max-age=86400" in response["Cache-Control"]


@pytest.mark.parametrize("language", LANGUAGES)
def test_footer_names_the_organiser_and_links_the_secretariat(client, language):
    footer = _footer(client.get(f"/{language}/"))
    assert "MINEX Forum" in footer.split('class="site-footer__organiser">')[1].split("</p>")[0]
    assert '<a href="mailto:secretariat@minexforum.com">secretariat@minexforum.com</a>' in footer
