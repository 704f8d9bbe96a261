"""Production: secrets only from the environment, HTTPS everywhere, hashed static files."""

from .base import *
from .environment import ConfigurationError, env

SECRET_KEY = env.str("SECRET_KEY", default="")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith(("dev-only", "django-insecure", "change-me")):
    raise ConfigurationError(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

DEBUG = False
STORAGES = PRODUCTION_STORAGES

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
# Health probes talk plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz/?$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
