"""The web process's access log never holds a password-reset or confirmation key."""

import datetime
import types

from gunicorn.config import Config

from minex.access_log import RedactingLogger

RESET = "/ru/accounts/password/reset/key/1-ditkq7-f8de521d0c3e2a/"
CONFIRM = "/kk/accounts/confirm-email/MQ:1vXyZa:abcDEF123/"


def _logged_line(path: str, referer: str = "-") -> str:
    config = Config()
    logger = RedactingLogger(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": referer,
        "HTTP_USER_AGENT": "test",
    }
    response = types.SimpleNamespace(status="200 OK", sent=10, headers=[])
    request = types.SimpleNamespace(headers=[("REFERER", referer)])
    atoms = logger.atoms(response, request, environ, datetime.timedelta(milliseconds=5))
    return config.access_log_format % atoms


def test_access_log_line_holds_no_reset_or_confirmation_key():
    for path in (RESET, CONFIRM):
        line = _logged_line(path, referer=f"https://portal.example{path}")
        key = path.rstrip("/").rsplit("/", 1)[1]
        assert key not in line
        assert "[redacted]" in line


def test_access_log_keeps_ordinary_paths():
    line = _logged_line("/en/events/minex-astana-2026/register/")
    assert "/en/events/minex-astana-2026/register/" in line
