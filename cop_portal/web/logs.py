"""Production's log lines: one JSON object a line on stdout, for whatever collects the
machine's output, and the id that ties a request's lines together.

Every line has the same keys: time, level, logger, message and request_id (null outside a
request). gunicorn's access line (one a request) adds method, path, status and duration_ms.

What never reaches a line: query strings (gunicorn's path is PATH_INFO, without them, and its
error lines lose theirs here; Django's own messages name request.path), the client's address,
the referrer, the user agent, cookies and request bodies. A message may name a member only by
id."""

import json
import logging
import re
import uuid
from contextvars import ContextVar
from datetime import UTC, datetime

# The request being served in this thread, for the lines logged while it is.
current_request_id: ContextVar[str | None] = ContextVar("request_id", default=None)

REQUEST_ID_HEADER = "X-Request-ID"
# An id the proxy gave the request (nginx's $request_id is 32 hex digits) is kept when it looks
# like one; anything else (too long, spaces, quotes, a line break) is replaced by our own.
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")

ACCESS_LOGGER = "gunicorn.access"
# gunicorn's access atoms (gunicorn.glogging.Logger.atoms) and the keys they become.
_ACCESS_FIELDS = {"method": "m", "path": "U", "status": "s", "duration_ms": "M"}


def request_id_from(incoming: str | None) -> str:
    """The incoming id when it is sane, else a new one."""
    if incoming and _SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON with fixed keys (see the module's docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
        }
        if record.name == ACCESS_LOGGER and isinstance(record.args, dict):
            # gunicorn logs its access format with the request's atoms as the arguments: the
            # line is built from the few atoms named here, never from the format.
            atoms = record.args
            line["message"] = "request"
            line["request_id"] = _dash_none(atoms.get("{x-request-id}o", "-"))
            for key, atom in _ACCESS_FIELDS.items():
                line[key] = _number(atoms.get(atom, "-"))
        else:
            if record.name.startswith("gunicorn.") and isinstance(record.args, tuple):
                # gunicorn names the request it failed on by its whole address.
                record.args = tuple(_without_query(arg) for arg in record.args)
            line["message"] = record.getMessage()
            request = getattr(record, "request", None)
            line["request_id"] = getattr(request, "request_id", None) or current_request_id.get()
        if record.exc_info:
            line["message"] += "\n" + self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def _without_query(value):
    if isinstance(value, str) and value.startswith("/") and "?" in value:
        return value.split("?", 1)[0]
    return value


def _dash_none(value):
    return None if value in ("-", None) else value


def _number(value):
    value = _dash_none(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return value
