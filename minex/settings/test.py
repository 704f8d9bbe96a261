"""The test suite: real PostgreSQL and Redis (bin/test makes them ready)."""

import os
import re
import secrets
import tempfile
from pathlib import Path

from .environment import ConfigurationError

os.environ.setdefault("DATABASE_URL", "postgres://minex@127.0.0.1:5432/minex")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

# One token per test run, shared through the environment with every process the run starts.
# Everything a run creates or wipes on the shared servers carries it (the test database, the
# cache's keys, the media folder), so two runs on one machine (two clones, two CI jobs, two
# developers) never drop each other's database or clear each other's rate limits. Set
# MINEX_TEST_RUN yourself to keep one name across runs (pytest --reuse-db).
TEST_RUN = os.environ.setdefault("MINEX_TEST_RUN", secrets.token_hex(4))
if not re.fullmatch(r"[a-z0-9_]{1,16}", TEST_RUN):
    # It becomes part of a database name and of a Redis key pattern.
    raise ConfigurationError("MINEX_TEST_RUN must be 1-16 lowercase letters, digits or _.")
# pytest-xdist: each worker process (gw0, gw1, ...) is a run of its own, with its own database,
# cache keys and media folder; processes a worker starts inherit the suffixed token.
_XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
if re.fullmatch(r"gw[0-9]{1,3}", _XDIST_WORKER) and not TEST_RUN.endswith(f"_{_XDIST_WORKER}"):
    TEST_RUN = os.environ["MINEX_TEST_RUN"] = f"{TEST_RUN}_{_XDIST_WORKER}"

from .base import *

DEBUG = False
# Unit tests run tasks inline (still after commit); integration tests start real workers.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
# Serve static files from the app folders (no collectstatic before the suite).
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # pytest-django creates and drops this database; PostgreSQL keeps 63 bytes of a name.
    DATABASES["default"]["TEST"] = {
        **DATABASES["default"].get("TEST", {}),
        "NAME": f"test_{DATABASES['default']['NAME'][:36]}_{TEST_RUN}",
    }
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # The suite clears only keys under this prefix between tests (tests/conftest.py), never
    # the whole Redis database another run may be using.
    CACHES["default"]["KEY_PREFIX"] = f"minex-test-{TEST_RUN}"
MEDIA_ROOT = Path(tempfile.gettempdir()) / f"minex-test-media-{TEST_RUN}"
PRIVATE_MEDIA_ROOT = Path(tempfile.gettempdir()) / f"minex-test-private-{TEST_RUN}"
# Not a secret (published in base.py); tests that rotate keys override it.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [DEVELOPMENT_FIELD_ENCRYPTION_KEY]

# The ticket e-mail (badges) is a third outbox row per confirmation: off for the suite, whose
# registration tests count each e-mail; tests/badges turn it on where they test it.
BADGES_TICKET_EMAIL = False

# The webhook tests run their receiver on 127.0.0.1 (private ranges stay refused).
WEBHOOK_ALLOW_LOOPBACK = True
