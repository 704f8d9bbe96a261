import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import override_settings

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_database_and_broker_answer(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "ok", "status": "ok"}


@override_settings(REDIS_URL="redis://127.0.0.1:1/0")
def test_healthz_stays_200_naming_the_broker_degraded_when_it_is_down(client):
    # Web still takes registrations without Redis: a load balancer must not pull it.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == "unavailable"
    assert response.json()["status"] == "degraded: broker"


def test_healthz_answers_503_naming_the_database_when_it_is_down():
    """A real unreachable database, in a separate process so this suite's connection is safe."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz')\n"
        "print(r.status_code, r.content.decode())\n"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "minex.settings.test",
        "DATABASE_URL": "postgres://minex@127.0.0.1:1/nowhere",
        "LOG_LEVEL": "CRITICAL",
    }
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    status, body = result.stdout.strip().split(" ", 1)
    assert status == "503"
    assert json.loads(body)["status"] == "unavailable: database"


def test_healthz_is_not_language_prefixed(client):
    assert client.get("/en/healthz").status_code == 404
