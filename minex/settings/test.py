"""The test suite: real PostgreSQL and Redis (bin/test makes them ready)."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://minex@127.0.0.1:5432/minex")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")

from .base import *

DEBUG = False
# Unit tests run tasks inline (still after commit); integration tests start real workers.
CELERY_TASK_ALWAYS_EAGER = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
ALLOWED_HOSTS = ["*"]
# Serve static files from the app folders (no collectstatic before the suite).
WHITENOISE_USE_FINDERS = True
