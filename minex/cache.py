"""The shared cache on Redis, failing open: a Redis outage costs a warning, never a 500.

The cache holds nothing that must survive: rate-limit counts (ours in minex/ratelimit.py and
allauth's) and cached values that can be computed again. Redis is also the Celery broker, and
the portal promises that a delegate can register while it is down (the outbox keeps the
e-mails), so every request-path use of the cache must work without it.

When Redis cannot be reached, each operation answers as if the key were absent: `get` misses,
`add` succeeds, `incr` starts a new count at `delta`, writes and deletes are dropped. Rate
limits therefore let requests through during an outage (allauth's lock is "acquired" at once
instead of being waited for). After a failure this process does not ask Redis again for
`RETRY_AFTER` seconds, so a burst of requests during an outage costs microseconds per call,
not one connection attempt (and, for an unreachable host, one connect timeout) each.

The first failure logs a warning and the recovery an info line: one pair per outage and
process, not one line per cache call.

So this cache must never hold a lock that has to exclude others (during an outage every
`add` "wins"), nor anything a request cannot do without: that belongs in the database.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import AuthenticationError, AuthorizationError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNREACHABLE = (RedisConnectionError, RedisTimeoutError)
# redis-py raises these as kinds of ConnectionError, but they are a configuration fault (wrong
# credentials in CACHE_URL/REDIS_URL), not an outage: requests still go through, and the
# fault is logged as an error every time this process asks again, never just once.
REFUSED = (AuthenticationError, AuthorizationError)

# A down Redis on loopback refuses at once; a host lost on the network would otherwise hold
# a request until the kernel gives up connecting (minutes).
DEFAULT_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 1.0}


class FailOpenRedisCache(RedisCache):
    """Django's RedisCache whose operations fall back to "not cached" while Redis is away.

    Django keeps one cache object per thread, so the outage state below is per thread too.

    OPTIONS: the redis-py pool options (DEFAULT_OPTIONS unless given), plus RETRY_AFTER,
    the seconds to skip Redis after a failure (default 2).
    """

    def __init__(self, server, params):
        options = dict(params.get("OPTIONS", {}))
        self.retry_after = float(options.pop("RETRY_AFTER", 2.0))
        super().__init__(server, {**params, "OPTIONS": {**DEFAULT_OPTIONS, **options}})
        self._down_until = 0.0
        self._down = False

    def _call(self, operation, fallback, *args, **kwargs):
        if self._down and time.monotonic() < self._down_until:
            return fallback
        try:
            function = operation if callable(operation) else getattr(super(), operation)
            result = function(*args, **kwargs)
        except UNREACHABLE as error:
            if isinstance(error, REFUSED):
                logger.error(
                    "The cache (Redis) refuses our credentials; rate limits are not enforced "
                    "until CACHE_URL/REDIS_URL is corrected: %s",
                    error,
                )
            elif not self._down:
                logger.warning(
                    "The cache (Redis) is unreachable; rate limits are not enforced and "
                    "nothing is cached until it returns: %s",
                    error,
                )
            self._down = True
            self._down_until = time.monotonic() + self.retry_after
            return fallback
        if self._down:
            logger.info("The cache (Redis) is reachable again.")
            self._down = False
        return result

    def get(self, key, default=None, version=None):
        return self._call("get", default, key, default, version)

    def get_many(self, keys, version=None):
        return self._call("get_many", {}, keys, version)

    def has_key(self, key, version=None):
        return self._call("has_key", False, key, version)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        # allauth's rate limit waits up to a second for a lock it takes with `add`: "added"
        # lets the request through at once.
        return self._call("add", True, key, value, timeout, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set", None, key, value, timeout, version)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("set_many", list(data), data, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._call("touch", False, key, timeout, version)

    def incr(self, key, delta=1, version=None):
        # As if the count had just been created: a rate limit counts this attempt as the first.
        return self._call("incr", delta, key, delta, version)

    def count(self, key, timeout: int, version=None) -> int:
        """Add one to the count at `key` and return it; a new count expires after `timeout`
        seconds. One round trip (`add` then `incr` took two): SET NX EX and INCR, pipelined.
        While Redis is away: 1, as `incr` would answer."""
        return self._call(self._count_in_redis, 1, key, timeout, version)

    def _count_in_redis(self, key, timeout: int, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        pipeline = self._cache.get_client(key, write=True).pipeline(transaction=False)
        # As `add(key, 0, timeout)` stores it: Django's Redis serializer keeps integers plain.
        pipeline.set(key, 0, ex=int(timeout), nx=True)
        pipeline.incr(key)
        _created, count = pipeline.execute()
        return count

    def delete(self, key, version=None):
        return self._call("delete", False, key, version)

    def delete_many(self, keys, version=None):
        return self._call("delete_many", None, keys, version)

    def clear(self):
        return self._call("clear", False)
