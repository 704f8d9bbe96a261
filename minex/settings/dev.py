"""Local development: the embedded default (SQLite, tasks in-process, mail to the console)."""

from .base import *

DEBUG = env.bool("DEBUG", default=True)

# Not a secret (published in base.py): development data is not real personal data.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or [DEVELOPMENT_FIELD_ENCRYPTION_KEY]

# Webhook receivers on this machine (api/addresses.py).
WEBHOOK_ALLOW_LOOPBACK = env.bool("WEBHOOK_ALLOW_LOOPBACK", default=True)
