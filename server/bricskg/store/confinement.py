"""What an executor process may not do, and how its end is reported: the confinement of queries.

* **No network**: a seccomp filter makes ``socket(AF_INET|AF_INET6, …)`` fail, behind the SERVICE
  check (``bricskg.sparql.safety``).
* **Bounded memory**: ``RLIMIT_DATA`` from the executor's size at fork plus the per-query budget.
* **Exit statuses**: executors are the zygote's children, so only the zygote learns how one ended;
  it writes the status on an ``ExitBoard`` shared with the worker, which tells a query over the
  memory limit (the engine aborts when an allocation fails) from a crash.
"""

from __future__ import annotations

import ctypes
import mmap
import os
import resource
import struct
import time

# Second, independent layer behind the SERVICE check (bricskg.sparql.safety): executors cannot open
# an Internet socket at all. A seccomp filter makes socket(AF_INET|AF_INET6, …) fail with EPERM, so even
# a SERVICE clause that slipped past the check could not reach the network. Executors only ever use the
# AF_UNIX socket they inherit. Linux x86-64 and aarch64; elsewhere the check alone protects.
_SECCOMP_ARCH = {"x86_64": (0xC000003E, 41), "aarch64": (0xC00000B7, 198)}  # AUDIT_ARCH_*, __NR_socket
_PR_SET_NO_NEW_PRIVS = 38
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
_EPERM = 1
_AF_INET, _AF_INET6 = 2, 10


class _SockFilter(ctypes.Structure):
    _fields_ = [("code", ctypes.c_ushort), ("jt", ctypes.c_ubyte), ("jf", ctypes.c_ubyte), ("k", ctypes.c_uint)]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


def forbid_network() -> bool:
    """Install the seccomp filter in this process; True when it is in force."""
    machine = os.uname().machine if hasattr(os, "uname") else ""
    if machine not in _SECCOMP_ARCH:
        return False
    arch, socket_nr = _SECCOMP_ARCH[machine]
    ld_w_abs, jeq_k, ret_k = 0x20, 0x15, 0x06
    program = [
        (ld_w_abs, 0, 0, 4),  # 0: A = seccomp_data.arch
        (jeq_k, 0, 5, arch),  # 1: other ABI -> allow (7)
        (ld_w_abs, 0, 0, 0),  # 2: A = seccomp_data.nr
        (jeq_k, 0, 3, socket_nr),  # 3: not socket() -> allow (7)
        (ld_w_abs, 0, 0, 16),  # 4: A = low word of args[0] (the address family)
        (jeq_k, 2, 0, _AF_INET),  # 5: AF_INET -> deny (8)
        (jeq_k, 1, 0, _AF_INET6),  # 6: AF_INET6 -> deny (8)
        (ret_k, 0, 0, _SECCOMP_RET_ALLOW),  # 7
        (ret_k, 0, 0, _SECCOMP_RET_ERRNO | _EPERM),  # 8
    ]
    filters = (_SockFilter * len(program))(*[_SockFilter(*instruction) for instruction in program])
    fprog = _SockFprog(len(program), filters)
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            return False
        return libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(fprog), 0, 0) == 0
    except (OSError, AttributeError):
        return False


def memory_limit_message(limit: int) -> str:
    return (
        f"The query needed more memory than this endpoint gives one query ({limit / 2**20:,.0f} MiB) and was "
        "stopped. Make it more selective: ORDER BY, DISTINCT or GROUP BY over a large join hold all its rows."
    )


def _vm_data() -> int:
    """This process's data segment in bytes (Linux ``VmData``: heap and private writable mappings)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmData:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmData in /proc/self/status")


def limit_memory(limit: int | None) -> bool:
    """Let this process grow by at most ``limit`` bytes from now on; True when the limit is in force.

    ``RLIMIT_DATA`` rather than ``RLIMIT_AS``: it counts what a query allocates, not address space
    reserved but unused (thread arenas, file mappings), so the bound is close to real memory."""
    if not limit:
        return False
    try:
        ceiling = _vm_data() + limit
        resource.setrlimit(resource.RLIMIT_DATA, (ceiling, ceiling))
    except (OSError, ValueError):
        return False
    return True


class ExitBoard:
    """The last exit statuses of executors, on memory shared by the worker and its zygote.

    Executors are the zygote's children, so only the zygote can learn how one ended; the worker
    needs to know (an abort after an allocation failure is a query over the memory limit, not a
    crash). Slots of (pid, wait status), written round-robin by the zygote's SIGCHLD handler — one
    writer, in one thread — and read by the worker's request threads."""

    SLOTS = 256
    _SLOT = struct.Struct("qq")

    def __init__(self) -> None:
        self._memory = mmap.mmap(-1, self.SLOTS * self._SLOT.size)  # MAP_SHARED|MAP_ANONYMOUS: survives fork
        self._next = 0

    def record(self, pid: int, status: int) -> None:
        offset = (self._next % self.SLOTS) * self._SLOT.size
        self._next += 1
        self._SLOT.pack_into(self._memory, offset, 0, status)
        self._SLOT.pack_into(self._memory, offset, pid, status)

    def forget(self, pid: int) -> None:
        """Clear any record of ``pid`` (the worker calls this for a new executor: pids are reused)."""
        for index in range(self.SLOTS):
            offset = index * self._SLOT.size
            if self._SLOT.unpack_from(self._memory, offset)[0] == pid:
                self._SLOT.pack_into(self._memory, offset, 0, 0)

    def status_of(self, pid: int, wait: float) -> int | None:
        """The wait status of executor ``pid``, waiting up to ``wait`` seconds for the zygote to reap it."""
        deadline = time.monotonic() + wait
        while True:
            for index in range(self.SLOTS):
                found, status = self._SLOT.unpack_from(self._memory, index * self._SLOT.size)
                if found == pid:
                    return int(status)
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.01)
