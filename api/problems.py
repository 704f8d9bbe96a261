"""Errors as RFC 9457 problem details: `type`, `title`, `status`, `detail`, translated.

`title` is the HTTP status's phrase in the request's language, `detail` the service's own
message (the one the admin and the delegate's pages show), and `type` names the kind of
refusal: `about:blank` for plain HTTP errors, `urn:minex:problem:<name>` for a registration
rule (`urn:minex:problem:event-full`), so a client can branch on it in any language. Field
errors are listed under `errors` ({field: [messages]}).
"""

import re

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from registrations.services import RegistrationError

CONTENT_TYPE = "application/problem+json"


def titles() -> dict[int, str]:
    return {
        400: _("Bad request"),
        401: _("Not authenticated"),
        403: _("Forbidden"),
        404: _("Not found"),
        405: _("Method not allowed"),
        406: _("Not acceptable"),
        409: _("Conflict"),
        415: _("Unsupported media type"),
        429: _("Too many requests"),
    }


def problem(status_code: int, detail, *, kind: str = "", errors=None, headers=None) -> Response:
    body = {
        "type": f"urn:minex:problem:{kind}" if kind else "about:blank",
        "title": titles().get(status_code, _("Error")),
        "status": status_code,
        "detail": str(detail),
    }
    if errors:
        body["errors"] = errors
    return Response(body, status=status_code, headers=headers, content_type=CONTENT_TYPE)


def _kind(error: Exception) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", type(error).__name__).lower()


def _field_errors(detail) -> dict | None:
    if isinstance(detail, dict):
        return {
            field: [
                str(message) for message in (messages if isinstance(messages, list) else [messages])
            ]
            for field, messages in detail.items()
        }
    return None


def exception_handler(error, context):
    if isinstance(error, RegistrationError):
        return problem(status.HTTP_409_CONFLICT, error.message, kind=_kind(error))
    if isinstance(error, DjangoValidationError):
        if hasattr(error, "error_dict"):
            errors = {
                field: [str(m) for m in messages] for field, messages in error.message_dict.items()
            }
            return problem(
                400, _("Please correct the errors below."), kind="invalid", errors=errors
            )
        return problem(400, " ".join(str(m) for m in error.messages), kind="invalid")
    if isinstance(error, Http404):
        error = exceptions.NotFound()
    elif isinstance(error, PermissionDenied):
        error = exceptions.PermissionDenied()
    response = drf_exception_handler(error, context)
    if response is None:
        return None  # a bug: Django's 500 page and the error log
    headers = {
        name: value
        for name, value in response.items()
        if name in ("WWW-Authenticate", "Retry-After", "Allow")
    }
    if isinstance(error, exceptions.ValidationError):
        errors = _field_errors(error.detail)
        detail = (
            _("Please correct the errors below.")
            if errors
            else " ".join(str(message) for message in error.detail)
        )
        return problem(400, detail, kind="invalid", errors=errors, headers=headers)
    detail = error.detail if isinstance(error, exceptions.APIException) else str(error)
    return problem(response.status_code, detail, headers=headers)
