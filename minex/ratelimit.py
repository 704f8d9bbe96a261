"""Rate limits for our own forms (allauth limits login, sign-up and password reset itself).

Fixed windows counted in the shared cache (Redis in production, so every web process sees the
same count). Registration needs a logged-in account, and accounts are rate-limited at sign-up
per IP address, so delegate forms are limited per account: a NAT full of delegates from one
ministry is never throttled by its neighbours.

Limits fail open: while Redis is down the cache (minex/cache.py) logs a warning and counts
every attempt as the first of a new window, so a delegate can still register. A limit is a
guard against abuse; refusing every registration during an outage would be worse.
"""

import functools
import time

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render


def allow(scope: str, identity: str, *, limit: int, period: int) -> bool:
    """Count one attempt; False once `identity` made more than `limit` in this `period`."""
    window = int(time.time() // period)
    key = f"ratelimit:{scope}:{identity}:{window}"
    count_in_one_trip = getattr(cache, "count", None)  # the Redis cache (minex/cache.py)
    if count_in_one_trip is not None:
        return count_in_one_trip(key, period) <= limit
    cache.add(key, 0, timeout=period)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr: a fresh window
        cache.set(key, 1, timeout=period)
        count = 1
    return count <= limit


def limit_posts_per_user(scope: str):
    """Refuse a user's POSTs to the decorated view beyond settings.RATE_LIMITS[scope] =
    (attempts, seconds) with a translated 429 page; GETs are never limited."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method == "POST" and request.user.is_authenticated:
                limit, period = settings.RATE_LIMITS[scope]
                if not allow(scope, str(request.user.pk), limit=limit, period=period):
                    return render(request, "429.html", status=429)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
