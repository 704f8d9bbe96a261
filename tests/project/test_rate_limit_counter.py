"""The rate limits' counter on the shared Redis cache: one round trip per attempt."""

import uuid

from django.core.cache import cache
from redis.connection import Connection


def test_counter_counts_in_one_round_trip_and_expires_with_its_window(monkeypatch):
    key = f"ratelimit:test:{uuid.uuid4().hex}"
    sends = []
    send = Connection.send_packed_command

    def counting_send(connection, command, *args, **kwargs):
        sends.append(command)
        return send(connection, command, *args, **kwargs)

    monkeypatch.setattr(Connection, "send_packed_command", counting_send)
    cache.get("warm")  # the connection's own set-up (HELLO, SELECT) happens here, not below
    sends.clear()
    first = cache.count(key, 600)
    second = cache.count(key, 600)
    monkeypatch.undo()

    assert (first, second) == (1, 2)
    assert len(sends) == 2  # SET NX EX and INCR go out together, once per attempt
    assert cache.get(key) == 2  # readable as Django's own incr would have left it
    client = cache._cache.get_client(cache.make_key(key))
    assert 0 < client.ttl(cache.make_key(key)) <= 600
