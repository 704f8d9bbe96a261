"""Configuration from the environment: production refuses to start without a real secret,
`check --deploy` is clean, and a malformed variable is one line naming it, not a traceback."""

import secrets
import subprocess
import sys

from cryptography.fernet import Fernet

from tests.processes import ROOT, clean_environment


def _manage(*args, **env_overrides):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=clean_environment(**env_overrides),
        capture_output=True,
        text=True,
        timeout=300,  # a deadline, not a speed: collectstatic compresses every file
    )


def test_production_settings_refuse_to_start_without_a_secret_key(tmp_path):
    result = _manage("check", DJANGO_SETTINGS_MODULE="minex.settings.production")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_refuse_the_development_key():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY="dev-only-insecure-key-do-not-use-in-production-at-all-ever",
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_refuse_to_run_without_postgresql():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL must point to PostgreSQL in production."
    ]


def test_production_settings_refuse_to_run_without_redis():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="postgres://minex@127.0.0.1:5432/minex",
    )
    assert result.returncode != 0
    assert "REDIS_URL must be set in production" in result.stderr


def test_check_deploy_is_clean_with_production_settings():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "DEBUG",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="postgres://minex@127.0.0.1:5432/minex",
        REDIS_URL="redis://127.0.0.1:6379/15",
        ALLOWED_HOSTS="portal.minexforum.com",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_malformed_database_url_is_one_line_naming_the_variable():
    result = _manage("check", DATABASE_URL="postgres//nobody@nowhere")
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "DATABASE_URL" in lines[0]


def test_unsupported_database_is_one_line_naming_the_variable():
    result = _manage("check", DATABASE_URL="mysql://root@127.0.0.1/minex")
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: DATABASE_URL must point to PostgreSQL or SQLite."
    ]


def test_malformed_redis_url_is_one_line_naming_the_variable():
    result = _manage("check", REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert len(result.stderr.strip().splitlines()) == 1
    assert "REDIS_URL" in result.stderr


def test_collectstatic_for_the_image_needs_no_secret(tmp_path):
    result = _manage(
        "collectstatic",
        "--noinput",
        "-v0",
        DJANGO_SETTINGS_MODULE="minex.settings.build",
        STATIC_ROOT=str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "staticfiles.json").exists()  # the hashed manifest production serves
    assert list(tmp_path.glob("css/minex.*.css"))


def test_production_never_prints_mail_to_the_console_without_email_host():
    # The console backend would write password-reset links into the worker's logs.
    result = _manage(
        "shell",
        "-c",
        "from django.conf import settings; print(settings.EMAIL_BACKEND)",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DATABASE_URL="postgres://minex@127.0.0.1:5432/minex",
        REDIS_URL="redis://127.0.0.1:6379/15",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_settings_refuse_to_start_without_field_encryption_keys():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
    )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [
        "Configuration error: FIELD_ENCRYPTION_KEYS must be set in production "
        "(comma-separated Fernet keys)."
    ]


def test_production_settings_refuse_the_development_encryption_key():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS=f"{Fernet.generate_key().decode()},"
        "ZGV2LW9ubHktbm90LXNlY3JldC1taW5leC1maWVsZHM=",
    )
    assert result.returncode != 0
    assert "must not contain the development key" in result.stderr


def test_malformed_field_encryption_key_is_one_line_that_does_not_echo_it():
    result = _manage(
        "check",
        DJANGO_SETTINGS_MODULE="minex.settings.production",
        SECRET_KEY=secrets.token_urlsafe(64),
        FIELD_ENCRYPTION_KEYS="not-a-key-but-secret-looking-1234",
    )
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "FIELD_ENCRYPTION_KEYS" in lines[0]
    assert "secret-looking" not in result.stderr
