"""Reading the environment: one place that turns variables into settings values.

Every error names the variable, so a typo in a deployment is a one-line message
(`manage.py` and the process entry points print it without a traceback).
"""

import warnings
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)


class ConfigurationError(ImproperlyConfigured):
    """A setting read from the environment is missing or malformed."""


def database_from_env(default_sqlite_path: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL, or the embedded SQLite default when unset."""
    url = env.str("DATABASE_URL", default="").strip()
    if not url:
        default_sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{default_sqlite_path}"
    try:
        with warnings.catch_warnings():
            # django-environ warns before returning an unusable config; we say it ourselves.
            warnings.simplefilter("ignore")
            config = environ.Env.db_url_config(url)
    except Exception as error:  # django-environ raises several kinds for bad input
        raise ConfigurationError(f"DATABASE_URL is malformed ({error}).") from None
    engine = config.get("ENGINE", "")
    if not engine or not config.get("NAME"):
        raise ConfigurationError(
            "DATABASE_URL is malformed: expected postgres://user:password@host:port/name "
            "or sqlite:///path."
        )
    if engine == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock when a transaction starts, so two concurrent
        # writers wait for each other instead of failing with "database is locked".
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    elif engine == "django.db.backends.postgresql":
        # Persistent connections: opening one per request costs more than the request.
        config["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        config["CONN_HEALTH_CHECKS"] = True
    else:
        raise ConfigurationError("DATABASE_URL must point to PostgreSQL or SQLite.")
    return config


def redis_url_from_env() -> str:
    """REDIS_URL, or '' for the embedded default (tasks in-process, local-memory cache)."""
    url = env.str("REDIS_URL", default="").strip()
    if url and not url.startswith(("redis://", "rediss://", "unix://")):
        raise ConfigurationError("REDIS_URL is malformed: expected redis://host:port/db.")
    return url
