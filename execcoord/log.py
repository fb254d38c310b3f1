"""Structured logs: one JSON line a record, each naming the request it belongs to.

``RequestIdMiddleware`` gives every request an id (the proxy's ``X-Request-ID`` when it is a
plain token, else a new one), sends it back in the ``X-Request-ID`` response header and
keeps it, with the request, for the log records written while the request runs. The 500
page shows the id, so a user can quote it and an operator find the traceback with
``grep <id>``.

``RequestFilter`` adds ``request_id``, ``user``, ``method`` and ``path`` to every record
(``-`` outside a request); ``JsonFormatter`` writes the record, its traceback included, as
one line of JSON on standard error, which a container runtime or journald collects.
"""

import contextvars
import datetime
import json
import logging
import re
import uuid

from django.utils.functional import empty

_current_request = contextvars.ContextVar("execcoord_request", default=None)
_INCOMING_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def new_request_id():
    return uuid.uuid4().hex[:16]


class RequestIdMiddleware:
    """Give the request an id, expose it in the response, and keep the request for logs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request.request_id = incoming if _INCOMING_ID.match(incoming) else new_request_id()
        token = _current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            _current_request.reset(token)
        response["X-Request-ID"] = request.request_id
        return response


def current_request():
    """The request being served by this thread (or task), or ``None``."""
    return _current_request.get()


def _user_name(request):
    """The signed-in user's name, without loading the user only to log it (the database may
    be what failed)."""
    user = getattr(request, "user", None)
    if user is None:
        return "-"
    if getattr(user, "_wrapped", None) is empty:  # a lazy user not read yet
        return "-"
    try:
        return user.get_username() or "anonymous"
    except Exception:  # noqa: BLE001 - logging must never fail
        return "-"


class RequestFilter(logging.Filter):
    """Add ``request_id``, ``user``, ``method`` and ``path`` to every record."""

    def filter(self, record):
        request = getattr(record, "request", None) or current_request()
        if request is not None and not hasattr(request, "META"):
            request = None  # a socket, for django.server records
        record.request_id = getattr(request, "request_id", "-") if request else "-"
        record.user = _user_name(request) if request else "-"
        record.method = getattr(request, "method", "-") if request else "-"
        record.path = getattr(request, "path", "-") if request else "-"
        return True


class JsonFormatter(logging.Formatter):
    """A record as one line of JSON: time, level, logger, message, request and traceback."""

    FIELDS = ("request_id", "user", "method", "path", "status_code")

    def format(self, record):
        entry = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in self.FIELDS:
            value = getattr(record, name, None)
            if value not in (None, "-"):
                entry[name] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return json.dumps(entry, default=str)
