"""The secretariat's visa admin: requests (with their buttons), policies, the access log."""

from . import others, requests  # noqa: F401
