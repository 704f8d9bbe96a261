"""Settings for the registration benchmark: production settings plus one bare view.

The bare view is the baseline: an authenticated POST that inserts one row, through the same
gunicorn, middleware, session and database as the real registration form. It lives here, not
in the portal, so production code carries nothing for benchmarks.
"""

from minex.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.register_urls"
