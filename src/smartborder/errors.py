"""Domain exceptions. Each carries its HTTP status and a stable code; app.errorhandlers maps them.

The API always answers ``{"error": {"code", "message", "details"}}``.
"""

from __future__ import annotations

from typing import Any


class SmartborderError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, *, details: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []


class SettingsError(SmartborderError):
    code = "invalid_settings"


class NotInitialised(SmartborderError):
    status_code = 503
    code = "not_initialised"


class ValidationFailed(SmartborderError):
    status_code = 422
    code = "validation_failed"


class MalformedRequest(SmartborderError):
    status_code = 400
    code = "malformed_request"


class NotAuthenticated(SmartborderError):
    status_code = 401
    code = "not_authenticated"


class SessionExpired(NotAuthenticated):
    code = "session_expired"


class CsrfFailed(SmartborderError):
    status_code = 403
    code = "csrf_failed"


class PermissionDenied(SmartborderError):
    status_code = 403
    code = "forbidden"


class NotFound(SmartborderError):
    status_code = 404
    code = "not_found"


class Conflict(SmartborderError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(SmartborderError):
    status_code = 413
    code = "payload_too_large"


class TooManyAttempts(SmartborderError):
    status_code = 429
    code = "too_many_attempts"


class NotReady(SmartborderError):
    status_code = 503
    code = "not_ready"
