import pytest

from tests.mail.conftest import smtp_server  # noqa: F401 (the real SMTP server fixture)


@pytest.fixture
def news_and_event(db):
    """An event with three delegates: Russian-speaking with consent, English without, and a
    Kazakh-speaking one whose address the mail server refuses for good."""
    from accounts.services import update_profile
    from mail.services import record_undeliverable
    from tests.factories import make_category, make_delegate, make_registration

    category = make_category()
    ru = make_delegate("ru@example.com", consent_marketing=True, first_name="Иван")
    en = make_delegate("en@example.com", first_name="Alice")
    kk = make_delegate("kk@example.com", consent_marketing=True, first_name="Айгерим")
    registrations = {
        "ru": make_registration(category, delegate=ru, language="ru"),
        "en": make_registration(category, delegate=en, language="en"),
        "kk": make_registration(category, delegate=kk, language="kk"),
    }
    record_undeliverable("kk@example.com", code=550, reason="550 No such user")
    update_profile(en, channel="profile_page", consent_marketing=False)
    return category.event, category, registrations
