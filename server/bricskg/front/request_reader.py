"""Decide, from the bytes received so far, whether one HTTP/1.x request has fully arrived.

The front reads every request into memory before a request thread sees it (see
``bricskg.front.worker``); this module is the byte-level part of that: it finds the end of the
header section, checks the request line and header fields against gunicorn's own limits (so the
client gets the documented plain-text 414/431 instead of gunicorn's HTML), and finds the end of
the body from ``Content-Length`` or the chunked framing. It does not interpret the request
otherwise: gunicorn's parser still parses it, from the buffer, in the request thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class Progress(Enum):
    MORE = "more"  # keep reading
    COMPLETE = "complete"  # the whole request (head and body) is buffered
    HAND_OVER = "hand-over"  # stop buffering, let the application read the rest (it answers 413)
    REFUSE = "refuse"  # answer ``refusal`` and close


@dataclass(frozen=True)
class ReadLimits:
    """gunicorn's header limits (mirrored so the front refuses first) and the body bound."""

    max_request_line: int = 8190
    max_field_size: int = 8190
    max_fields: int = 100
    max_body: int = 16 * 1024 * 1024  # beyond: the application answers 413 without reading it all


@dataclass(frozen=True)
class Refusal:
    status: int
    reason: str
    message: str


class RequestReader:
    """Accumulates one connection's bytes until its next request is complete."""

    def __init__(self, limits: ReadLimits, initial: bytes = b""):
        self.limits = limits
        self.data = bytearray()
        self.head_end: int | None = None  # index just past the blank line ending the header section
        self.body_end: int | None = None  # index just past the request (known-length bodies)
        self.refusal: Refusal | None = None
        self.wants_continue = False  # "Expect: 100-continue" with the body still to come
        self._scan = 0  # where the header scan resumes
        self._fields = 0
        self._chunk_pos: int | None = None  # chunked bodies: start of the next chunk-size line
        self._chunked_done = 0  # payload bytes of the chunks fully received
        if initial:
            self.feed(initial)

    @property
    def size(self) -> int:
        return len(self.data)

    @property
    def started(self) -> bool:
        return bool(self.data)

    def feed(self, chunk: bytes) -> Progress:
        self.data += chunk
        if self.head_end is None:
            progress = self._scan_head()
            if progress is not Progress.COMPLETE:
                return progress
        return self._body_progress()

    def take(self) -> bytes:
        data = bytes(self.data)
        self.data = bytearray()
        return data

    # --- header section ------------------------------------------------------------------------

    def _refuse(self, status: int, reason: str, message: str) -> Progress:
        self.refusal = Refusal(status, reason, message)
        return Progress.REFUSE

    def _scan_head(self) -> Progress:
        data = self.data
        while True:
            end = data.find(b"\n", self._scan)
            if end < 0:
                pending = len(data) - self._scan
                if self._scan == 0 and pending > self.limits.max_request_line + 2:
                    return self._request_line_too_long()
                if self._scan > 0 and pending > self.limits.max_field_size + 2:
                    return self._field_too_large()
                return Progress.MORE
            line_length = end - self._scan
            if self._scan == 0:
                if line_length > self.limits.max_request_line + 1:
                    return self._request_line_too_long()
            elif line_length <= 1:  # "\r\n" or "\n": the blank line that ends the header section
                self.head_end = end + 1
                return self._head_complete()
            else:
                self._fields += 1
                if line_length > self.limits.max_field_size + 1:
                    return self._field_too_large()
                if self._fields > self.limits.max_fields:
                    return self._refuse(
                        431, "Request Header Fields Too Large",
                        f"The request has more than {self.limits.max_fields} header fields.",
                    )
            self._scan = end + 1

    def _request_line_too_long(self) -> Progress:
        return self._refuse(
            414, "URI Too Long",
            f"The request line is longer than {self.limits.max_request_line} bytes. "
            "Send a long query with POST (application/sparql-query or a form) instead of GET.",
        )

    def _field_too_large(self) -> Progress:
        return self._refuse(
            431, "Request Header Fields Too Large",
            f"A request header field is longer than {self.limits.max_field_size} bytes.",
        )

    def _head_complete(self) -> Progress:
        assert self.head_end is not None
        length: int | None = None
        chunked = False
        expect_continue = False
        for raw in bytes(self.data[: self.head_end]).split(b"\n")[1:]:
            name, sep, value = raw.partition(b":")
            if not sep:
                continue
            name = name.strip().lower()
            value = value.strip().lower()
            if name == b"content-length" and value.isdigit():
                length = int(value)
            elif name == b"transfer-encoding" and value.split(b",")[-1].strip() == b"chunked":
                chunked = True
            elif name == b"expect" and value == b"100-continue":
                expect_continue = True
        if chunked:
            self._chunk_pos = self.head_end
        else:
            # malformed or conflicting framing: gunicorn's parser refuses it (400) from the buffer
            self.body_end = self.head_end + (length or 0)
            if length is not None and length > self.limits.max_body:
                return Progress.HAND_OVER
        self.wants_continue = expect_continue and not self._body_complete()
        return Progress.COMPLETE

    # --- body ----------------------------------------------------------------------------------

    def _body_complete(self) -> bool:
        if self.body_end is not None:
            return len(self.data) >= self.body_end
        return self._scan_chunks()

    def _body_progress(self) -> Progress:
        if self._body_complete():
            return Progress.COMPLETE
        if self._chunk_pos is not None and self._chunked_done + len(self.data) - self._chunk_pos > self.limits.max_body:
            return Progress.HAND_OVER
        return Progress.MORE

    def _scan_chunks(self) -> bool:
        """Walk the chunked framing as far as the data goes; True once the last chunk and the
        trailer section are in. Malformed framing counts as complete: gunicorn answers 400."""
        data = self.data
        while True:
            assert self._chunk_pos is not None
            line_end = data.find(b"\r\n", self._chunk_pos)
            if line_end < 0:
                return len(data) - self._chunk_pos > 1024  # a chunk-size line is never this long
            size_text = bytes(data[self._chunk_pos : line_end]).split(b";")[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return True
            if size == 0:
                trailer_start = line_end + 2
                if data[trailer_start : trailer_start + 2] == b"\r\n":
                    self.body_end = trailer_start + 2
                    return True
                end = data.find(b"\r\n\r\n", trailer_start)
                if end < 0:
                    return False
                self.body_end = end + 4
                return True
            next_pos = line_end + 2 + size + 2
            if next_pos > len(data):
                return False
            self._chunked_done += size
            self._chunk_pos = next_pos
