import pytest

from tests.factories import make_event

pytestmark = pytest.mark.django_db


def test_home_lists_published_event(client):
    event = make_event(title_en="MINEX Europe 2026")
    response = client.get("/en/")
    assert response.status_code == 200
    assert event.title_en in response.content.decode()
