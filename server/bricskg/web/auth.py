"""Who may write: one admin bearer token, compared in constant time.

Writes are off unless ``BRICSKG_ADMIN_TOKEN`` is set (``Config.admin_token``). Reads never pass
through here. The token itself is never logged or stored: the audit graph records only
``Config.token_name``.
"""

from __future__ import annotations

import hmac

from flask import Response, current_app, request

from bricskg.config import Config

REALM = "bricskg"


def _config() -> Config:
    return current_app.extensions["bricskg.config"]


def _plain(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def bearer_token(header: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header (RFC 6750 §2.1), or None."""
    if not header:
        return None
    scheme, _, credentials = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    token = credentials.strip()
    return token or None


def token_matches(presented: str, expected: str) -> bool:
    """Constant-time comparison so response timing leaks nothing about the secret."""
    return hmac.compare_digest(presented.encode("utf-8"), expected.encode("utf-8"))


def check_write_access() -> Response | None:
    """None when the current request may write; otherwise the 403/401 response to send.

    403 "read-only" when writes are disabled altogether, 401 with a ``WWW-Authenticate`` challenge
    when no bearer token came, 403 when the token is wrong (RFC 6750 §3.1: insufficient rights).
    """
    config = _config()
    if not config.writes_enabled:
        return _plain(403, "This endpoint is read-only: updates are disabled (set BRICSKG_ADMIN_TOKEN to enable writes).")
    presented = bearer_token(request.headers.get("Authorization"))
    if presented is None:
        return _plain(
            401,
            "Writing needs an 'Authorization: Bearer <token>' header.",
            {"WWW-Authenticate": f'Bearer realm="{REALM}"'},
        )
    assert config.admin_token is not None
    if not token_matches(presented, config.admin_token):
        return _plain(
            403,
            "The bearer token is not valid for writing.",
            {"WWW-Authenticate": f'Bearer realm="{REALM}", error="invalid_token"'},
        )
    return None
