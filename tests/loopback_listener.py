"""A TCP listener on 127.0.0.1 that records every connection: the instrument of the no-fetch tests.

The SSRF, network-safety and upload-safety tests point SERVICE, LOAD, FROM, JSON-LD contexts and
XML entities at it and assert it saw nothing; their control cases assert it does see a real fetch.
"""

from __future__ import annotations

import socket
import threading
import time
from contextlib import closing

# An empty but valid HTTP answer, so a client that did connect finishes its request quickly.
EMPTY_TURTLE_RESPONSE = b"HTTP/1.1 200 OK\r\nContent-Type: text/turtle\r\nContent-Length: 0\r\n\r\n"


class LoopbackListener:
    """Accepts and records every connection (the first bytes it sent) until closed."""

    def __init__(self, *, answer: bytes | None = None) -> None:
        self.answer = answer
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.socket.listen(64)
        self.socket.settimeout(0.2)
        self.port = self.socket.getsockname()[1]
        self.connections: list[bytes] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self.socket.accept()
            except (socket.timeout, OSError):
                continue
            with closing(connection):
                connection.settimeout(0.5)
                try:
                    self.connections.append(connection.recv(2048) or b"<connected, sent nothing>")
                except OSError:
                    self.connections.append(b"<connected>")
                if self.answer is not None:
                    try:
                        connection.sendall(self.answer)
                    except OSError:
                        pass

    def reset(self) -> None:
        self.connections.clear()

    def received_nothing(self, settle: float = 0.3) -> bool:
        """Whether no connection came, after ``settle`` seconds for a straggling fetch."""
        time.sleep(settle)
        return not self.connections

    def assert_untouched(self, case: str, settle: float = 0.3) -> None:
        assert self.received_nothing(settle), f"{case}: the server connected to the listener: {self.connections[:3]!r}"

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.socket.close()
