"""The Russian catalogue covers every user-facing string, and Kazakh covers the public pages.

The catalogue is extracted afresh from the code (makemessages in a copy of the tree), so a
string added without a translation fails here, not in front of a delegate.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
SKIP = {".venv", ".git", "data", "staticfiles", "node_modules", ".pytest_cache", ".ruff_cache"}
# Templates a visitor or a delegate sees: these must be in Kazakh as well.
DELEGATE_FACING = (
    "templates/base.html",
    "templates/_",  # shared form snippets
    "templates/400.html",
    "templates/403_csrf.html",
    "templates/404.html",
    "templates/429.html",
    "templates/500.html",
    "templates/account/",
    "templates/allauth/",
    "templates/events/",
    "templates/legal/",
    "templates/registrations/",
    "registrations/templates/registrations/emails/",
    "registrations/forms.py",
    # The add-ons section of the form, the registration page's panel and the e-mails.
    "addons/templates/addons/",
    "addons/forms.py",
)


@pytest.fixture(scope="module")
def fresh_catalogues(tmp_path_factory) -> dict[str, polib.POFile]:
    copy = tmp_path_factory.mktemp("tree") / "minex"
    shutil.copytree(ROOT, copy, ignore=lambda directory, names: SKIP & set(names))
    result = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "ru", "-l", "kk", "--no-obsolete",
         "--ignore=.venv", "-v0"],
        cwd=copy, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return {
        language: polib.pofile(str(copy / f"locale/{language}/LC_MESSAGES/django.po"))
        for language in ("ru", "kk")
    }


def _describe(entries) -> str:
    return "\n".join(f"{e.occurrences[:1]} {e.msgid!r}" for e in entries[:20])


def test_every_message_has_a_russian_translation(fresh_catalogues):
    catalogue = fresh_catalogues["ru"]
    missing = catalogue.untranslated_entries()
    assert not missing, f"{len(missing)} untranslated:\n{_describe(missing)}"


def test_no_russian_translation_is_fuzzy(fresh_catalogues):
    fuzzy = fresh_catalogues["ru"].fuzzy_entries()
    assert not fuzzy, f"{len(fuzzy)} fuzzy (Django ignores them):\n{_describe(fuzzy)}"


def test_delegate_facing_strings_have_kazakh_translations(fresh_catalogues):
    catalogue = fresh_catalogues["kk"]
    missing = [
        entry
        for entry in catalogue.untranslated_entries() + catalogue.fuzzy_entries()
        if any(path.startswith(DELEGATE_FACING) for path, _ in entry.occurrences)
    ]
    assert not missing, f"{len(missing)} public strings without Kazakh:\n{_describe(missing)}"


@pytest.mark.django_db
def test_third_party_pages_are_in_kazakh_through_the_overlay(client):
    """allauth ships no Kazakh and django-countries no Kazakh names: our overlay covers them."""
    page = client.get("/kk/accounts/login/").content.decode()
    assert "Құпиясөзді ұмыттыңыз ба?" in page  # allauth's "Forgot your password?"

    from django.utils import translation
    from django_countries import countries

    with translation.override("kk"):
        assert countries.name("KZ") == "Қазақстан"
