"""One word for the person who registers, in each language, everywhere the portal speaks:
Russian «участник», Kazakh «қатысушы». ("Delegate" is also a category's name, which the
secretariat writes, so the portal never calls the person «делегат» in either language.)"""

from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.mark.parametrize(
    ("language", "chosen", "avoided"),
    [("ru", "участник", "делегат"), ("kk", "қатысушы", "делегат")],
)
def test_the_delegate_is_called_by_one_word(language, chosen, avoided):
    catalogue = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    translations = [
        (entry.msgid, text)
        for entry in catalogue.translated_entries()
        for text in [entry.msgstr, *entry.msgstr_plural.values()]
        if text
    ]

    assert [pair for pair in translations if avoided in pair[1].lower()] == []
    assert any(chosen in text.lower() for _msgid, text in translations)
