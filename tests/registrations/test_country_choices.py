"""Country lists in the visitor's alphabet: the register form, the event admin and the
registrations changelist's country filter, in Russian and Kazakh; built once per language."""

import html
import random
import re

import pytest
from django.utils import translation

from accounts.models import User
from tests.factories import make_category, make_delegate, make_event, make_registration

pytestmark = pytest.mark.django_db

KAZAKH_ALPHABET = (
    "А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я"
)


def _options(page: str, name: str) -> list[str]:
    """The labels of the <select name=`name`>'s options, in page order."""
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S)
    assert select, f"no <select name={name}>"
    return [html.unescape(label) for label in re.findall(r"<option[^>]*>([^<]*)", select.group(1))]


def _assert_in_order(labels: list[str], expected: list[str]) -> None:
    positions = [labels.index(name) for name in expected]
    assert positions == sorted(positions), [labels[i] for i in sorted(positions)]


@pytest.fixture
def register_page(client):
    client.force_login(make_delegate())
    event = make_category().event

    def get(language: str) -> list[str]:
        response = client.get(f"/{language}/events/{event.slug}/register/")
        assert response.status_code == 200
        return _options(response.content.decode(), "country")

    return get


def test_russian_register_form_lists_countries_alphabetically(register_page):
    labels = register_page("ru")

    _assert_in_order(
        labels,
        [
            "Австралия",
            "Австрия",
            "Азербайджан",
            "Казахстан",
            "Нидерланды",
            "Новая Зеландия",  # multi-word names in their alphabetical place, not last
            "Норвегия",
            "Оман",
            "Сан-Томе и Принсипи",
            "Саудовская Аравия",
            "Эфиопия",
            "Южная Африка",
            "Южная Корея",
            "Южный Судан",
            "Япония",
        ],
    )
    assert labels[-1] == "Япония"


def test_kazakh_register_form_lists_countries_in_kazakh_alphabetical_order(register_page):
    labels = register_page("kk")

    _assert_in_order(
        labels,
        [
            "Ангола",
            "Аргентина",
            "Ауғанстан",
            "Әзірбайжан",  # Ә right after А
            "Бутан",
            "Біріккен Араб Әмірліктері",  # І after every other letter but Ь Э Ю Я
            "Вануату",
            "Кюрасао",
            "Қазақстан",  # Қ after К
            "Қытай",
            "Лаос",
            "Монтсеррат",
            "Моңғолия",  # Ң after Н
            "Мысыр",
            "Оман",
            "Оңтүстік Африка",
            "Өзбекстан",  # Ө after О
            "Түркия",
            "Түрікменстан",
            "Уругвай",
            "Ұлыбритания",  # Ұ before Ү (DUCET has them the other way round)
            "Үндістан",
            "Фарер аралдары",
            "Ямайка",
        ],
    )


def test_kazakh_collation_follows_the_kazakh_alphabet():
    from minex import countries as country_names

    letters = KAZAKH_ALPHABET.split()
    shuffled = random.Random(2026).sample(letters, len(letters))

    by_kazakh = sorted(shuffled, key=lambda word: country_names.collation_key(word, "kk"))
    lower_case = sorted(
        (letter.lower() for letter in shuffled),
        key=lambda word: country_names.collation_key(word, "kk"),
    )

    assert by_kazakh == letters
    assert lower_case == [letter.lower() for letter in letters]
    # A tailored letter sorts after every word with the letter it follows.
    for words in (["Ея", "Ё", "Ж"], ["ыя", "і", "ь"], ["ұя", "ү", "ф"], ["Есік", "Ёлка"]):
        assert sorted(words, key=lambda word: country_names.collation_key(word, "kk")) == words


def test_event_admin_lists_countries_in_the_admin_users_alphabet(client):
    client.force_login(User.objects.create_superuser("root@minexforum.com", "a-long-password"))
    event = make_event()

    response = client.get(f"/kk/admin/events/event/{event.pk}/change/")

    assert response.status_code == 200
    labels = _options(response.content.decode(), "country")
    _assert_in_order(labels, ["Бутан", "Біріккен Араб Әмірліктері", "Ұлыбритания", "Үндістан"])


def test_admin_country_filter_lists_countries_in_the_admin_users_alphabet(client):
    client.force_login(User.objects.create_superuser("root@minexforum.com", "a-long-password"))
    category = make_category()
    for country in ("IN", "GB", "AE", "BT"):
        make_registration(category, delegate=make_delegate(country=country))

    response = client.get("/kk/admin/registrations/registration/")

    assert response.status_code == 200
    filters = re.search(r'id="changelist-filter".*?</nav>', response.content.decode(), re.S)
    page = html.unescape(filters.group(0))
    positions = [
        page.index(name)
        for name in ("Бутан", "Біріккен Араб Әмірліктері", "Ұлыбритания", "Үндістан")
    ]
    assert positions == sorted(positions)


def test_country_choices_are_sorted_once_per_language(register_page, monkeypatch):
    from minex import countries as country_names

    sorted_lists = []
    sort = country_names.sorted_by_name

    def counting_sort(choices, language):
        sorted_lists.append(language)
        return sort(choices, language)

    monkeypatch.setattr(country_names, "sorted_by_name", counting_sort)
    country_names.country_choices_in.cache_clear()

    first = register_page("kk")
    second = register_page("kk")
    register_page("ru")

    assert first == second
    assert sorted_lists == ["kk", "ru"]
    with translation.override("kk"):
        assert country_names.country_choices() is country_names.country_choices_in("kk")
