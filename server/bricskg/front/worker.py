"""A gunicorn worker that reads every request completely before a request thread sees it.

gunicorn's stock ``gthread`` worker hands a connection to a request thread as soon as its first
byte arrives; the thread then blocks reading the rest of the headers and the body. Sixteen clients
that send half a header and then a byte every 20 s hold all the threads, and the server stops
answering (slowloris). Here the worker's event loop (one thread, non-blocking sockets) buffers each
request with deadlines — ``header_timeout`` for the request line and headers, ``body_timeout`` for
the body — and only a complete request goes to the thread pool, whose threads therefore never wait
on a client. What it also does, for the same reason:

* **Admission.** At most ``max_in_flight`` requests are dispatched (running, or among the
  ``QUEUE_LIMIT`` queued for a thread); beyond that the event loop answers 503 with ``Retry-After``
  at once instead of queueing without bound. Queued requests are complete, and no thread waits on a
  client or (more than a second) on a busy executor pool, so the queue drains quickly. The thread pool is larger than the executor pool (``request_threads``), so requests that
  need no executor (``/health``, pages, quick 503s) still find a thread while every executor is busy.
* **Deadline from arrival.** The moment a request was complete is put into the WSGI environ
  (``RECEIVED_AT``); the query deadline counts from it, so time spent queued counts.
* **Plain-text errors.** 414/431 are answered here from the mirrored gunicorn limits; gunicorn's own
  error writer is replaced by a plain-text one for the rest (400 on malformed requests).
* **No blocking in the event loop.** Closing a connection lingers (RFC 9112 §9.6) in the loop,
  not in a blocking ``close_graceful`` that would stall every other connection.
* **Bounded memory.** The buffered bytes of one worker are capped (``BUFFER_BUDGET``); the oldest
  connection still sending its request is evicted when ``max_reading`` are open.

Everything else is gunicorn's ``ThreadWorker``: the arbiter, ``post_fork`` (executors), graceful
stops, the access log, keep-alive.
"""

from __future__ import annotations

import errno
import selectors
import socket
import threading
import time
from collections import OrderedDict
from functools import partial
from typing import Any, Callable

from gunicorn import http, util
from gunicorn.workers.gthread import TConn, ThreadWorker

from bricskg.front.replies import plain_reply, send_without_blocking, write_plain_error
from bricskg.front.request_reader import Progress, ReadLimits, Refusal, RequestReader

util.write_error = write_plain_error  # gunicorn's own 400/414/431 pages become plain text too

RECEIVED_AT = "bricskg.received_at"  # environ key: time.monotonic() when the request was complete
BUFFER_BUDGET = 256 * 1024 * 1024  # bytes one worker may hold in request buffers at once
LINGER_SECONDS = 2.0  # how long a closing connection is drained before it is closed
LINGER_BYTES = 64 * 1024
SPARE_THREADS = 4  # request threads beyond those that may hold or wait for an executor
QUEUE_LIMIT = 64  # complete requests that may wait for a request thread; beyond: 503 at once
RETRY_AFTER = "1"

_arrival = threading.local()


def request_threads(threads: int) -> int:
    """Threads of one worker: ``threads`` that may run queries, as many that may wait briefly for
    an executor (``bricskg.store.executor``), and spare ones for requests that need none."""
    return 2 * threads + SPARE_THREADS


class BufferingWorker(ThreadWorker):
    """``gthread`` with a buffering, deadline-keeping front in its event loop."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading: OrderedDict[TConn, None] = OrderedDict()  # oldest first
        self._lingering: OrderedDict[TConn, None] = OrderedDict()
        self._buffered = 0
        self._in_flight = 0
        self.header_timeout = 10.0
        self.body_timeout = 30.0
        self.limits = ReadLimits(self.cfg.limit_request_line, self.cfg.limit_request_field_size,
                                 self.cfg.limit_request_fields)
        self.max_in_flight = request_threads(self.cfg.threads) + QUEUE_LIMIT
        self.max_reading = max(16, self.cfg.worker_connections // 2)

    # --- set-up ---------------------------------------------------------------------------------

    def init_process(self) -> None:
        config = self.app.wsgi().extensions.get("bricskg.config")
        if config is not None:
            self.header_timeout = config.header_timeout
            self.body_timeout = config.body_timeout
            upload = max(config.max_body_bytes, config.max_upload_bytes)
            self.limits = ReadLimits(self.limits.max_request_line, self.limits.max_field_size,
                                     self.limits.max_fields, upload)
        super().init_process()

    def get_thread_pool(self) -> Any:
        from concurrent import futures

        return futures.ThreadPoolExecutor(max_workers=request_threads(self.cfg.threads))

    def load_wsgi(self) -> None:
        super().load_wsgi()
        self.wsgi = _with_arrival_time(self.wsgi)

    # --- reading requests in the event loop ------------------------------------------------------

    def accept(self, listener: socket.socket) -> None:
        try:
            client, address = listener.accept()
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.ECONNABORTED, errno.EWOULDBLOCK):
                raise
            return
        self.nr_conns += 1
        conn = TConn(self.cfg, client, address, listener.getsockname())  # non-blocking
        if len(self._reading) >= self.max_reading:
            oldest = next(iter(self._reading))  # an attacker's, most likely: closed at once, no linger
            self._stop_reading(oldest)
            self._finish_close(oldest)
        self._read_next(conn, b"", idle_for=self.header_timeout)

    def _read_next(self, conn: TConn, leftover: bytes, idle_for: float) -> None:
        """Start buffering ``conn``'s next request (``leftover``: bytes already read past the last)."""
        conn.reader = RequestReader(self.limits)
        conn.buffered = 0
        conn.deadline = time.monotonic() + idle_for
        conn.phase = "idle"
        conn.sock.setblocking(False)
        self._reading[conn] = None
        self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_readable, conn))
        if leftover:
            self._take_in(conn, leftover)

    def _on_readable(self, conn: TConn, _sock: Any) -> None:
        try:
            chunk = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        if not chunk:  # the client went away
            self._stop_reading(conn)
            self._close(conn)
            return
        self._take_in(conn, chunk)

    def _take_in(self, conn: TConn, chunk: bytes) -> None:
        if self._buffered + len(chunk) > BUFFER_BUDGET:
            self._stop_reading(conn)
            self._refuse(conn, Refusal(503, "Service Unavailable", "The server is receiving too many requests at "
                                       "once; please retry."), {"Retry-After": RETRY_AFTER})
            return
        self._buffered += len(chunk)
        conn.buffered += len(chunk)
        progress = conn.reader.feed(chunk)
        now = time.monotonic()
        if conn.phase == "idle":
            conn.phase, conn.deadline = "head", now + self.header_timeout
        if conn.phase == "head" and conn.reader.head_end is not None:
            conn.phase, conn.deadline = "body", now + self.body_timeout
            if conn.reader.wants_continue:
                send_without_blocking(conn.sock, b"HTTP/1.1 100 Continue\r\n\r\n")
        if progress is Progress.MORE:
            return
        self._stop_reading(conn)
        if progress is Progress.REFUSE:
            assert conn.reader.refusal is not None
            self._refuse(conn, conn.reader.refusal)
        else:
            self._dispatch(conn)

    def _stop_reading(self, conn: TConn) -> None:
        self._reading.pop(conn, None)
        self._buffered -= conn.buffered
        conn.buffered = 0
        try:
            self.poller.unregister(conn.sock)
        except (KeyError, ValueError, OSError):
            pass

    def _dispatch(self, conn: TConn) -> None:
        """Hand a complete request to the thread pool, or refuse it when the pool is full."""
        if self._in_flight >= self.max_in_flight:
            self._refuse(conn, Refusal(503, "Service Unavailable", "The server is at capacity; please retry."),
                         {"Retry-After": RETRY_AFTER})
            return
        data = conn.reader.take()
        conn.received_at = time.monotonic()
        if conn.parser is None:
            conn.parser = http.get_parser(self.cfg, conn.sock, conn.client)
            conn.initialized = True
        conn.parser.unreader.unread(data)
        conn.data_ready = True
        self._in_flight += 1
        self.enqueue_req(conn)

    def handle_request(self, req: Any, conn: TConn) -> Any:
        _arrival.received_at = getattr(conn, "received_at", None)
        return super().handle_request(req, conn)

    def finish_request(self, conn: TConn, fs: Any) -> None:
        self._in_flight -= 1
        try:
            keep = bool(fs.result()) if not fs.cancelled() else False
        except Exception:  # noqa: BLE001 - the thread already answered or logged
            keep = False
        if keep and self.alive:
            self._read_next(conn, conn.parser.unreader.take_buffered(), idle_for=self.cfg.keepalive)
        else:
            self._close(conn)

    # --- deadlines, refusals, closing -----------------------------------------------------------

    def murder_pending(self) -> None:
        """Called by the loop about once a second: enforce the header, body and idle deadlines."""
        super().murder_pending()
        now = time.monotonic()
        for conn in [conn for conn in self._reading if conn.deadline <= now or not self.alive]:
            self._stop_reading(conn)
            if conn.phase == "idle":
                self._close(conn)  # an idle keep-alive connection, or one that never sent anything
            else:
                limit = self.header_timeout if conn.phase == "head" else self.body_timeout
                self._refuse(conn, Refusal(408, "Request Timeout", f"The request did not arrive within "
                                           f"{limit:g} seconds of its first byte (headers) or of its headers (body)."))
        for conn in [conn for conn in self._lingering if conn.deadline <= now]:
            self._finish_close(conn)

    def _refuse(self, conn: TConn, refusal: Refusal, headers: dict[str, str] | None = None) -> None:
        send_without_blocking(conn.sock, plain_reply(refusal.status, refusal.reason, refusal.message, headers))
        self._close(conn)

    def _close(self, conn: TConn) -> None:
        """Half-close, then drain what the client still sends for a moment (so the kernel does not
        reset the connection and destroy the answer in flight), without blocking the loop."""
        try:
            conn.sock.shutdown(socket.SHUT_WR)
        except OSError:
            self._finish_close(conn)
            return
        conn.deadline = time.monotonic() + LINGER_SECONDS
        conn.drained = 0
        conn.sock.setblocking(False)
        self._lingering[conn] = None
        try:
            self.poller.register(conn.sock, selectors.EVENT_READ, partial(self._on_lingering, conn))
        except (KeyError, ValueError, OSError):
            self._finish_close(conn)

    def _on_lingering(self, conn: TConn, _sock: Any) -> None:
        try:
            data = conn.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        conn.drained += len(data)
        if not data or conn.drained > LINGER_BYTES:
            self._finish_close(conn)

    def _finish_close(self, conn: TConn) -> None:
        if self._lingering.pop(conn, 0) is None:
            try:
                self.poller.unregister(conn.sock)
            except (KeyError, ValueError, OSError):
                pass
        self.nr_conns -= 1
        util.close(conn.sock)


def _with_arrival_time(app: Callable[..., Any]) -> Callable[..., Any]:
    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        received_at = getattr(_arrival, "received_at", None)
        if received_at is not None:
            environ[RECEIVED_AT] = received_at
        return app(environ, start_response)

    return application
