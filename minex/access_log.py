"""gunicorn's access log without credentials: password-reset and e-mail confirmation links
carry their key in the path (``/<lang>/accounts/password/reset/key/<key>/``,
``/<lang>/accounts/confirm-email/<key>/``), and a key in a log file is a key anyone who reads
the logs can use. Those path segments, wherever they appear in a log line (request line,
path, referer), are written as ``[redacted]``. Used by ``bin/web`` as gunicorn's logger class;
it imports nothing of Django, since gunicorn's master process loads it."""

import re

from gunicorn.glogging import Logger

KEY_IN_PATH = re.compile(r"(/accounts/(?:password/reset/key|confirm-email)/)[^/\s?#\"]+")
REDACTED = r"\1[redacted]"


def redact(text: str) -> str:
    return KEY_IN_PATH.sub(REDACTED, text)


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            name: redact(value) if isinstance(value, str) else value
            for name, value in atoms.items()
        }
