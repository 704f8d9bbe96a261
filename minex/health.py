"""/healthz: is this process able to serve? Checks the database and the Celery broker.

Only the database decides the status code. A web process serves registrations while Redis is
down (the cache fails open, e-mails wait in the outbox), so a load balancer must keep it in
rotation then: the broker's state is reported in the body as "degraded", with a 200.
"""

import logging

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.exception("Health check: the database does not answer")
        return False


def _broker_answers() -> bool:
    if not settings.REDIS_URL:
        return True  # embedded default: tasks run in-process, there is no broker to ask
    import redis

    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_timeout=2, socket_connect_timeout=2
        )
        return bool(client.ping())
    except Exception:
        logger.exception("Health check: the broker does not answer")
        return False


@never_cache
def healthz(request):
    checks = {"database": _database_answers(), "broker": _broker_answers()}
    body = {name: ("ok" if ok else "unavailable") for name, ok in checks.items()}
    if not checks["database"]:
        body["status"] = "unavailable: database"
        return JsonResponse(body, status=503)
    body["status"] = "ok" if checks["broker"] else "degraded: broker"
    return JsonResponse(body, status=200)
