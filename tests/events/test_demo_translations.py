"""Every word of the demo in the visitor's language: each published demo edition, its forum and
its delegate categories have their Russian and Kazakh texts, and the /ru/ and /kk/ pages show
none of the English ones (modeltranslation falls back to English where a text is missing)."""

import datetime
import html
import io
import re

import pytest
from django.core.management import call_command

from accounts.models import User
from events import demo as events_demo
from events.demo import seed_calendar
from events.models import Event
from events.selectors import missing_translations, translation_gaps
from registrations import demo as registrations_demo
from registrations.demo import seed_categories
from registrations.selectors import event_missing_translations

pytestmark = pytest.mark.django_db

# Before, during and long after the 2026 calendar: the later "sample dates" editions are
# derived from the 2026 ones, so each of these days seeds different editions.
SEEDING_DAYS = [
    datetime.datetime(2026, 3, 1, 12, tzinfo=datetime.UTC),
    datetime.datetime(2027, 6, 1, 12, tzinfo=datetime.UTC),
    datetime.datetime(2031, 1, 15, 12, tzinfo=datetime.UTC),
]


def _seed_demo_on_each_day():
    call_command("seed_demo", stdout=io.StringIO())
    for now in SEEDING_DAYS:
        seed_categories(seed_calendar(now=now).events)


def _english_demo_sentences() -> set[str]:
    """The sentences of the demo's English texts (long enough not to be a shared name such as
    "MINEX Asia" or "Astana")."""
    texts = [_english(spec, "summary") for spec in events_demo.FORUMS]
    texts += [_english(spec, "region") for spec in events_demo.FORUMS]
    for spec in events_demo.EVENTS:
        texts += [_english(spec, "tagline"), _english(spec, "description")]
        texts += _english(spec, "programme").split("\n\n")
    texts += [_english(spec, "description") for spec in registrations_demo._CATEGORIES]
    texts += [events_demo._SAMPLE_NOTE_EN, registrations_demo._PAYMENT_EN]
    sentences = {
        sentence.strip()
        for text in texts
        for sentence in re.split(r"(?<=[.;:?])\s+", text)
        if len(sentence.strip()) >= 20
    }
    assert len(sentences) > 30  # the demo's texts were found
    return sentences


def _english(spec: dict, field: str) -> str:
    return spec.get(f"{field}_en", "")


def test_every_published_demo_event_has_its_texts_in_every_language():
    _seed_demo_on_each_day()

    published = Event.objects.filter(status=Event.Status.PUBLISHED).select_related("forum")
    assert published.count() > 4  # the 2026 calendar and later sample editions
    for event in published:
        assert missing_translations(event) == {}, event.slug
        assert translation_gaps(event.forum) == {}, event.forum.slug
        assert event.categories.exists(), event.slug
        for category in event.categories.all():
            assert translation_gaps(category) == {}, (event.slug, category.code)
        assert event_missing_translations(event) == {}, event.slug


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_russian_and_kazakh_demo_pages_show_no_english_sentence(client, language):
    _seed_demo_on_each_day()
    english = _english_demo_sentences()
    delegate = User.objects.create_user("delegate@example.com", "a-long-test-password")
    client.force_login(delegate)

    pages = [f"/{language}/"]
    for slug in Event.objects.filter(status=Event.Status.PUBLISHED).values_list("slug", flat=True):
        pages += [f"/{language}/events/{slug}/", f"/{language}/events/{slug}/register/"]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        page = html.unescape(response.content.decode())
        shown = sorted(sentence for sentence in english if sentence in page)
        assert shown == [], url


KAZAKH_LETTERS = set("әғқңөұүһі")
CAPITALISED_MONTH = re.compile(
    r"\d\s+(Января|Февраля|Марта|Апреля|Мая|Июня|Июля|Августа|Сентября|Октября|Ноября|Декабря"
    r"|Қаңтар|Ақпан|Наурыз|Сәуір|Мамыр|Маусым|Шілде|Тамыз|Қыркүйек|Қазан|Қараша|Желтоқсан)"
)


def _texts(obj):
    """(field, en, ru, kk) for each translatable field of `obj` long enough to be prose."""
    for field in ("summary", "tagline", "description", "programme", "payment_instructions"):
        if hasattr(obj, f"{field}_en") and len(getattr(obj, f"{field}_en") or "") > 30:
            texts = (getattr(obj, f"{field}_{language}") or "" for language in ("en", "ru", "kk"))
            yield field, *texts


def test_demo_texts_are_written_in_each_language_not_copied():
    _seed_demo_on_each_day()

    checked = 0
    for event in Event.objects.filter(status=Event.Status.PUBLISHED).select_related("forum"):
        for obj in (event, event.forum, *event.categories.all()):
            for field, en, ru, kk in _texts(obj):
                where = (event.slug, type(obj).__name__, field)
                assert ru != en and kk != en and kk != ru, where
                assert KAZAKH_LETTERS & set(kk), where  # Kazakh, not Russian
                assert not CAPITALISED_MONTH.search(ru + kk), where
                checked += 1
    assert checked > 50

    astana = Event.objects.get(slug="minex-astana-2026")
    assert "15–16 апреля 2026 года" in astana.description_ru
    assert "2026 жылғы 15–16 сәуірде" in astana.description_kk
