"""The README's demo path: with no DATABASE_URL or REDIS_URL the portal runs on SQLite."""

import sys

import pytest

from tests.processes import ROOT, clean_environment, free_port, running, wait_for_http

pytestmark = pytest.mark.integration


def test_embedded_default_serves_the_four_forums_in_english_and_russian(tmp_path):
    import subprocess

    env = clean_environment(
        DJANGO_SETTINGS_MODULE="minex.settings.dev",
        DATA_DIR=str(tmp_path / "data"),
        DEBUG="false",
        LOG_LEVEL="WARNING",
    )
    for command in (["migrate", "--noinput", "-v0"], ["seed_demo"]):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True
        )
        assert result.returncode == 0, result.stderr.decode()
    assert (tmp_path / "data" / "minex.sqlite3").exists()

    port = free_port()
    server = [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]
    with running(server, env=env, log=tmp_path / "runserver.log"):
        status, english = wait_for_http(f"http://127.0.0.1:{port}/en/")
        assert status == 200, (tmp_path / "runserver.log").read_text()
        status, russian = wait_for_http(f"http://127.0.0.1:{port}/ru/")
        assert status == 200
        status, health = wait_for_http(f"http://127.0.0.1:{port}/healthz")
        assert status == 200

    english, russian = english.decode(), russian.decode()
    for name in ("MINEX Forum Astana", "MINEX Asia", "MINEX Europe", "MINEX Eurasia"):
        assert name in english
    assert "Форум MINEX в Астане" in russian
    assert "Лондон" in russian
