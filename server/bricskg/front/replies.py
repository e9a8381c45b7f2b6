"""Answers the front writes itself, before or instead of the application: plain text, like every
error of the endpoint (``bricskg.web.errors``), never gunicorn's HTML pages."""

from __future__ import annotations

import socket

ERROR_HEADERS = (
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Cache-Control: no-store\r\n"
    "Access-Control-Allow-Origin: *\r\n"
    "Connection: close\r\n"
)


def plain_reply(status: int, reason: str, message: str, extra_headers: dict[str, str] | None = None) -> bytes:
    """A complete HTTP/1.1 response whose body is ``"<status> <reason>: <message>"``."""
    body = f"{status} {reason}: {' '.join(message.split())}\n".encode("utf-8")
    extra = "".join(f"{name}: {value}\r\n" for name, value in (extra_headers or {}).items())
    head = f"HTTP/1.1 {status} {reason}\r\n{ERROR_HEADERS}{extra}Content-Length: {len(body)}\r\n\r\n"
    return head.encode("latin-1") + body


def send_without_blocking(sock: socket.socket, data: bytes) -> None:
    """Best effort: these replies are small and the socket's send buffer is empty, so one send
    normally takes them whole; a client that does not read loses the rest, never a thread."""
    try:
        previous = sock.gettimeout()
        sock.setblocking(False)
        try:
            sock.send(data)
        finally:
            sock.settimeout(previous)
    except OSError:
        pass


def write_plain_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for ``gunicorn.util.write_error`` (400/414/431/… found by gunicorn's own parser)."""
    message = mesg or reason
    send_without_blocking(sock, plain_reply(status_int, reason, message))
