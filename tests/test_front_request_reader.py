"""The front's decision of when a request has fully arrived (bricskg.front.request_reader)."""

from __future__ import annotations

from bricskg.front.request_reader import Progress, ReadLimits, RequestReader

LIMITS = ReadLimits(max_request_line=100, max_field_size=50, max_fields=5, max_body=1000)


def feed_bytewise(data: bytes) -> list[Progress]:
    reader = RequestReader(LIMITS)
    return [reader.feed(data[i : i + 1]) for i in range(len(data))]


def test_a_request_without_body_completes_at_the_blank_line() -> None:
    steps = feed_bytewise(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
    assert steps[-1] is Progress.COMPLETE and set(steps[:-1]) == {Progress.MORE}


def test_a_body_completes_at_its_content_length() -> None:
    steps = feed_bytewise(b"POST /sparql HTTP/1.1\r\nContent-Length: 5\r\n\r\nASK{}")
    assert steps[-1] is Progress.COMPLETE and set(steps[:-1]) == {Progress.MORE}


def test_a_chunked_body_completes_after_the_last_chunk_and_trailers() -> None:
    data = b"POST /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nASK\r\n2;x=y\r\n{}\r\n0\r\nX-T: 1\r\n\r\n"
    steps = feed_bytewise(data)
    assert steps[-1] is Progress.COMPLETE and set(steps[:-1]) == {Progress.MORE}


def test_pipelined_bytes_after_a_request_stay_in_the_buffer() -> None:
    reader = RequestReader(LIMITS)
    assert reader.feed(b"GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n") is Progress.COMPLETE
    assert reader.take().endswith(b"GET /b HTTP/1.1\r\n")


def test_limits_give_414_and_431() -> None:
    assert RequestReader(LIMITS).feed(b"GET /" + b"x" * 200) is Progress.REFUSE
    reader = RequestReader(LIMITS)
    assert reader.feed(b"GET / HTTP/1.1\r\nX: " + b"y" * 60 + b"\r\n") is Progress.REFUSE
    assert reader.refusal is not None and reader.refusal.status == 431
    reader = RequestReader(LIMITS)
    assert reader.feed(b"GET / HTTP/1.1\r\n" + b"A: b\r\n" * 6) is Progress.REFUSE
    assert reader.refusal is not None and reader.refusal.status == 431
    reader = RequestReader(LIMITS)
    reader.feed(b"GET /" + b"x" * 200)
    assert reader.refusal is not None and reader.refusal.status == 414


def test_bodies_over_the_bound_are_handed_over_unbuffered() -> None:
    assert RequestReader(LIMITS).feed(b"PUT /s HTTP/1.1\r\nContent-Length: 5000\r\n\r\n") is Progress.HAND_OVER
    reader = RequestReader(LIMITS)
    head = b"PUT /s HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"
    assert reader.feed(head + b"800\r\n" + b"z" * 0x800) is Progress.HAND_OVER


def test_expect_continue_is_noticed_while_the_body_is_missing() -> None:
    reader = RequestReader(LIMITS)
    assert reader.feed(b"POST / HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n") is Progress.MORE
    assert reader.wants_continue
