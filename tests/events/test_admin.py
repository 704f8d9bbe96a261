import pytest

from accounts.models import User
from tests.factories import make_event

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client):
    user = User.objects.create_superuser("root@minexforum.com", "a-long-test-password")
    client.force_login(user)
    return client


def test_event_admin_shows_translation_tabs_with_vendored_jquery_ui(superuser_client):
    event = make_event()
    response = superuser_client.get(f"/en/admin/events/event/{event.pk}/change/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "/static/vendor/jquery-ui/jquery-ui.min.js" in page
    assert "googleapis" not in page and "//cdn" not in page
    for language in ("en", "ru", "kk"):
        assert f'name="title_{language}"' in page


def test_admin_saves_a_russian_title(superuser_client):
    event = make_event(title_en="MINEX Europe 2026")
    page = superuser_client.get(f"/en/admin/events/event/{event.pk}/change/")
    form = page.context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        title_en="MINEX Europe 2026",
        title_ru="MINEX Европа 2026",
        forum=event.forum_id,
        country="IE",
        start_date=str(event.start_date),
        end_date=str(event.end_date),
        registration_opens_at_0=event.registration_opens_at.strftime("%Y-%m-%d"),
        registration_opens_at_1="00:00:00",
        registration_closes_at_0=event.registration_closes_at.strftime("%Y-%m-%d"),
        registration_closes_at_1="00:00:00",
    )
    data = {key: value for key, value in data.items() if not isinstance(value, list | dict)}
    response = superuser_client.post(f"/en/admin/events/event/{event.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    event.refresh_from_db()
    assert event.title_ru == "MINEX Европа 2026"
