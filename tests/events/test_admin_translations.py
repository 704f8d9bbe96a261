"""The event admin tells the secretariat which texts still lack a language before publishing:
a notice on the event's change page, a "translations complete" column in the list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from tests.factories import make_category, make_event, make_forum

pytestmark = pytest.mark.django_db

CHANGELIST = "/en/admin/events/event/"
NOTICE = "Some texts are not written in every language yet"


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("root@minexforum.com", "a-long-test-password")
    client.force_login(user)
    return client


def _in_every_language(field: str, en: str, ru: str, kk: str) -> dict:
    return {f"{field}_en": en, f"{field}_ru": ru, f"{field}_kk": kk}


def _complete_event(**fields):
    forum = make_forum(
        **_in_every_language("name", "MINEX Europe", "MINEX Europe", "MINEX Europe"),
        **_in_every_language("region", "Europe", "Европа", "Еуропа"),
    )
    values = {
        **_in_every_language("title", "MINEX Europe", "MINEX Европа", "MINEX Еуропа"),
        **_in_every_language("city", "Dublin", "Дублин", "Дублин"),
        **_in_every_language(
            "description",
            "Mining in Europe.",
            "Горнодобывающая отрасль Европы.",
            "Еуропаның тау-кен саласы.",
        ),
    }
    values.update(fields)
    event = make_event(forum, **values)
    make_category(
        event,
        **_in_every_language("name", "Delegate", "Делегат", "Делегат"),
        **_in_every_language(
            "description",
            "Full access.",
            "Полный доступ.",
            "Толық қатысу.",
        ),
    )
    return event


def _notices(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_change_page_lists_an_event_description_missing_in_kazakh(superuser_client):
    event = _complete_event(description_kk="")

    response = superuser_client.get(f"{CHANGELIST}{event.pk}/change/")

    assert response.status_code == 200
    (notice,) = [text for text in _notices(response) if NOTICE in text]
    assert "Event: description (kk)" in notice
    assert "title" not in notice and "Forum" not in notice


def test_change_page_lists_a_category_text_missing_in_russian_and_kazakh(superuser_client):
    event = _complete_event()
    make_category(event, name_en="Student", description_en="Bring your student card.")

    response = superuser_client.get(f"{CHANGELIST}{event.pk}/change/")

    (notice,) = [text for text in _notices(response) if NOTICE in text]
    assert "Category “Student”: name (ru, kk)" in notice
    assert "Category “Student”: description (ru, kk)" in notice


def test_change_page_of_a_complete_event_has_no_notice(superuser_client):
    event = _complete_event()

    response = superuser_client.get(f"{CHANGELIST}{event.pk}/change/")

    assert response.status_code == 200
    assert not [text for text in _notices(response) if NOTICE in text]


def test_changelist_says_which_languages_are_missing(superuser_client):
    complete = _complete_event()
    _complete_event(title_kk="", description_ru="")

    page = superuser_client.get(CHANGELIST).content.decode()

    assert "Translations complete" in page
    assert page.count('class="field-translations_complete"') == 2
    assert '<td class="field-translations_complete">yes</td>' in page
    assert '<td class="field-translations_complete">missing: ru, kk</td>' in page
    assert complete.title in page


def _queries(client) -> int:
    client.get(CHANGELIST)  # warm the session's permission caches alike for both sizes
    with CaptureQueriesContext(connection) as queries:
        response = client.get(CHANGELIST)
    assert response.status_code == 200
    return len(queries)


def test_changelist_queries_do_not_grow_with_events(superuser_client):
    _complete_event()
    one = _queries(superuser_client)
    _complete_event(description_kk="")
    _complete_event()

    three = _queries(superuser_client)

    assert one == three, f"{one} queries with 1 event, {three} with 3"
