"""Production: secrets only from the environment, HTTPS everywhere, hashed static files."""

from cryptography.fernet import Fernet

from .base import *
from .environment import ConfigurationError, env

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-only", "django-insecure", "change-me")):
    raise ConfigurationError(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

# Passport data is encrypted with these keys (minex/encryption.py): without them the portal
# could neither store nor read it, and the published development key protects nothing.
if not FIELD_ENCRYPTION_KEYS:
    raise ConfigurationError(
        "FIELD_ENCRYPTION_KEYS must be set in production (comma-separated Fernet keys)."
    )
if DEVELOPMENT_FIELD_ENCRYPTION_KEY in FIELD_ENCRYPTION_KEYS:
    raise ConfigurationError(
        "FIELD_ENCRYPTION_KEYS must not contain the development key in production."
    )
for _key in FIELD_ENCRYPTION_KEYS:
    try:
        Fernet(_key.encode())
    except ValueError:
        # Never echo the value: it may be a real key with a typo.
        raise ConfigurationError(
            "FIELD_ENCRYPTION_KEYS holds a value that is not a Fernet key (32 url-safe "
            "base64-encoded bytes)."
        ) from None

# Production runs on PostgreSQL and Redis. Without REDIS_URL, e-mail would be sent inside
# requests and rate limits would count per process, so a missing variable stops start-up.
if not env.str("DATABASE_URL", default="").strip().startswith(("postgres://", "postgresql://")):
    raise ConfigurationError("DATABASE_URL must point to PostgreSQL in production.")
if not REDIS_URL:
    raise ConfigurationError("REDIS_URL must be set in production (Celery broker and cache).")

DEBUG = False
STORAGES = PRODUCTION_STORAGES

# Never the console or a file in production, whatever EMAIL_HOST says: those would print
# password-reset links into the worker's logs. Without EMAIL_HOST the SMTP backend talks to
# localhost:25, and undelivered mail stays queued in the outbox with its fault shown.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health probes talk plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
# Both are commitments for the whole domain (minexforum.com and every subdomain must serve
# HTTPS); `check --deploy` expects them. Turn them off where that does not hold.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True

# Webhooks never go to loopback in production, whatever the environment says (SSRF:
# api/addresses.py); private, link-local and multicast addresses are refused everywhere.
WEBHOOK_ALLOW_LOOPBACK = False
