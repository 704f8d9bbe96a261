"""The Celery application: Redis broker from REDIS_URL, configured from Django settings.

Without REDIS_URL (the embedded default) settings make tasks run in-process.
"""

import functools
import os

from celery import Celery
from kombu.transport import redis as kombu_redis

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "minex.settings.dev")


def _refuse_channels_of_closed_connections() -> None:
    """Make a Redis channel whose connection was closed fail with a *connection* error.

    Why: with Celery 5.7.0 and kombu 5.7.0 (the newest releases), a worker killed itself with
    "Unrecoverable error: AttributeError: 'NoneType' object has no attribute 'hostname'"
    whenever Redis went away while a task was unacknowledged (we use acks_late). On a lost
    connection Celery's consumer calls `connection.collect()`, which detaches the transport
    (`transport.client = None`), and then, new in 5.7.0, `connection.close()`, which closes
    the same channel again; closing puts the unacknowledged messages back
    (`QoS.restore_unacked_once`), and to do that the channel builds a new Redis client from
    `self.connection.client` — now None. The AttributeError escapes kombu and Celery, which
    only ignore connection errors there; the finished task's late ack on that channel fails
    the same way.

    The fix: when the connection is gone, building a client raises redis' ConnectionError,
    which both callers already handle (the close is abandoned, the ack is logged as "Couldn't
    ack"). Nothing is lost: an unacknowledged message stays in Redis's "unacked" hash and is
    delivered again after the visibility timeout, and the outbox sends each e-mail once.
    tests/integration/test_broker_restart.py fails without this patch.
    """
    original = kombu_redis.Channel._connparams
    if getattr(original, "refuses_closed_connections", False):
        return

    @functools.wraps(original)
    def _connparams(self, *args, **kwargs):
        if self.connection.client is None:
            raise kombu_redis.redis.exceptions.ConnectionError(
                "The broker connection of this channel was closed."
            )
        return original(self, *args, **kwargs)

    _connparams.refuses_closed_connections = True
    kombu_redis.Channel._connparams = _connparams


_refuse_channels_of_closed_connections()

app = Celery("minex")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
