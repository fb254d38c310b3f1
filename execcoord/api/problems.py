"""Errors as RFC 9457 problem details (``application/problem+json``): one handler for
every error of the API.

``{"type", "title", "status", "detail"}``; a validation error adds ``errors`` (``{field:
[messages]}``, the forms' own messages; ``non_field_errors`` for the record as a whole); a
stale write adds ``changed`` (the labels of the fields changed since the version sent).
"""

from http import HTTPStatus

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import set_rollback

PROBLEM_TYPE = "application/problem+json"
TYPES = {
    "invalid": "/api/problems/invalid",
    "stale": "/api/problems/stale",
    "conflict": "/api/problems/conflict",
}


class Conflict(exceptions.APIException):
    """409: the record changed since the version the client sent, or its state refuses the
    request (a move already made, a unit already assigned, a request already decided)."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = "The record's state does not allow this request."
    default_code = "conflict"

    def __init__(self, detail=None, *, kind="conflict", **extra):
        super().__init__(detail)
        self.kind = kind
        self.extra = extra


class Invalid(exceptions.ValidationError):
    """400 with the form's errors (``{field: [messages]}``)."""

    def __init__(self, errors, detail="The request has invalid fields."):
        super().__init__(errors)
        self.summary = detail


def form_errors(form):
    """``{field: [messages]}`` of a Django form; the whole record's under
    ``non_field_errors``."""
    return {
        ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
        for name, messages in form.errors.items()
    }


def problem(status_code, detail, *, kind=None, headers=None, **extra):
    body = {
        "type": TYPES.get(kind, "about:blank"),
        "title": HTTPStatus(status_code).phrase,
        "status": status_code,
        "detail": str(detail),
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_TYPE, headers=headers)


def _flatten(detail):
    if isinstance(detail, dict):
        return {str(k): _messages(v) for k, v in detail.items()}
    return {"non_field_errors": _messages(detail)}


def _messages(value):
    if isinstance(value, (list, tuple)):
        return [m for item in value for m in _messages(item)]
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    return [str(value)]


def exception_handler(exc, context):
    """DRF's ``EXCEPTION_HANDLER``: every known error as a problem; anything else stays a
    server error (logged and mailed like every 500)."""
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    set_rollback()
    if isinstance(exc, exceptions.ValidationError):
        detail = getattr(exc, "summary", "The request has invalid fields.")
        return problem(
            exc.status_code, detail, kind="invalid", headers=headers, errors=_flatten(exc.detail)
        )
    extra = getattr(exc, "extra", {})
    return problem(
        exc.status_code, exc.detail, kind=getattr(exc, "kind", None), headers=headers, **extra
    )
