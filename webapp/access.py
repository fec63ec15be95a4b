"""Who may write: nobody, unless the server was started with a write token.

The token comes from WRITE_TOKEN (env BILAT_WRITE_TOKEN, or `bilat serve
--write-token-file`): never from the command line, where `ps` shows it to every user of the
machine. A write request carries it as `Authorization: Bearer TOKEN`, or, from the upload
form, as the form field `token`.
"""

from __future__ import annotations

import hmac

from flask import current_app, request

READ_ONLY = "this server is read-only: start it with a write token to allow writes"
CHALLENGE = 'Bearer realm="bilat"'


class AccessDenied(Exception):
    """A write the server refuses: 403 (no writes at all) or 401 (no or wrong token)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message

    @property
    def headers(self) -> dict[str, str]:
        return {"WWW-Authenticate": CHALLENGE} if self.status == 401 else {}


def writes_allowed() -> bool:
    """Whether this server takes writes at all (a write token is configured)."""
    return bool(current_app.config.get("WRITE_TOKEN"))


def check_write_access() -> None:
    """Return if the request may write; else raise AccessDenied with the status to send."""
    expected = current_app.config.get("WRITE_TOKEN")
    if not expected:
        raise AccessDenied(403, READ_ONLY)
    given = given_token()
    if given is None:
        raise AccessDenied(401, "a write needs the server's token (Authorization: Bearer ...)")
    # compare_digest: the time taken does not tell how much of a guess was right
    if not hmac.compare_digest(given.encode(), str(expected).encode()):
        raise AccessDenied(401, "wrong token")


def given_token() -> str | None:
    """The token the request carries: the Bearer header first, then a form field."""
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    if request.mimetype in ("multipart/form-data", "application/x-www-form-urlencoded"):
        token = request.form.get("token", "")
        return token or None
    return None
