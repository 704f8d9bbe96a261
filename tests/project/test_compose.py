"""docker-compose.yml: what supervises the long-running processes (no Docker engine here, so
the file is read as text: two-space indented services, one `key: value` per line)."""

import re

from tests.processes import ROOT

ONE_SHOT = {"migrate"}


def _services() -> dict[str, list[str]]:
    lines = (ROOT / "docker-compose.yml").read_text().splitlines()
    start = lines.index("services:") + 1
    services: dict[str, list[str]] = {}
    current = None
    for line in lines[start:]:
        if line and not line.startswith(" ") and not line.startswith("#"):
            break  # the next top-level key (volumes:)
        match = re.fullmatch(r"  ([a-z][\w-]*):", line)
        if match:
            current = services.setdefault(match.group(1), [])
        elif current is not None:
            current.append(line.strip())
    return services


def test_every_long_running_service_restarts_when_it_exits():
    services = _services()
    assert {"web", "worker", "beat", "postgres", "redis"} <= services.keys()

    unsupervised = [
        name
        for name, lines in services.items()
        if name not in ONE_SHOT and not {"restart: unless-stopped", "restart: always"} & set(lines)
    ]

    assert unsupervised == []


def test_published_ports_listen_on_loopback_only():
    # web trusts its proxy's X-Forwarded-For: reachable directly, anyone could choose the
    # address the rate limits count.
    published = [
        (name, line)
        for name, lines in _services().items()
        for line in lines
        if re.fullmatch(r'- "[\d.:]+"', line)
    ]
    assert published, "no published port found: has the file's layout changed?"
    assert [(name, line) for name, line in published if not line.startswith('- "127.0.0.1:')] == []
