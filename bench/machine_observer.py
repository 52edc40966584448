"""Where the machine's time goes over a window of a load benchmark (``bench.casework``); not a benchmark itself.

`Observer` reads ``/proc`` (Linux) for the share of the machine's cores used by the server's processes, this
process, the benchmark database's PostgreSQL backends and everything else, and samples ``pg_stat_activity``
for what those backends were doing.
"""

from __future__ import annotations

import contextlib
import os
import resource
import threading
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any


def _machine_busy_ticks() -> int:
    """Clock ticks the whole machine spent not idle, from /proc/stat (0 where it is missing)."""
    try:
        fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except OSError:
        return 0
    return sum(fields) - fields[3] - fields[4]  # less idle and iowait


def _process_ticks(pids: Iterable[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError, IndexError, ValueError):
            after_name = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(after_name[11]) + int(after_name[12])  # utime, stime
    return total


def _own_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _backend_label(state: str | None, wait_type: str | None, wait: str | None) -> str:
    if state == "idle":
        return "idle (between transactions)"
    if state == "idle in transaction":
        return "idle in transaction (the application working)"
    if state == "active" and wait_type is None:
        return "running (CPU)"
    return f"waiting on {wait_type}:{wait}"


class Observer(threading.Thread):
    """Over a window: the share of the machine's cores used by the server (``server_pids``), this
    process (the load client or the peer), the benchmark database's PostgreSQL backends and everything
    else; and, sampled from ``pg_stat_activity`` every ``interval_s``, how many of those backends were
    on average running, waiting on a lock or on the WAL, or idle (waiting for the application)."""

    def __init__(self, database_url: str, server_pids: Iterable[int] = (), interval_s: float = 0.05) -> None:
        super().__init__(daemon=True)
        self._url, self._interval = database_url, interval_s
        self._server_pids = list(server_pids)
        self._stop_event = threading.Event()
        # Per backend: CPU ticks when first and last seen (a backend may end within the window).
        self._backend_ticks: dict[int, list[int]] = {}
        self._states: Counter[str] = Counter()
        self._samples = 0

    def run(self) -> None:
        import psycopg

        query = (
            "SELECT pid, state, wait_event_type, wait_event FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        with psycopg.connect(self._url, autocommit=True) as connection:
            while True:
                for pid, state, wait_type, wait in connection.execute(query):
                    self._states[_backend_label(state, wait_type, wait)] += 1
                    ticks = _process_ticks([pid])
                    self._backend_ticks.setdefault(pid, [ticks, ticks])[1] = ticks
                self._samples += 1
                if self._stop_event.wait(self._interval):
                    return

    @contextlib.contextmanager
    def watching(self, into: dict[str, Any]) -> Iterator[None]:
        """Observe the block and put the figures in ``into`` (``cpu`` and ``postgres_backends``)."""
        hertz, cores = os.sysconf("SC_CLK_TCK"), os.cpu_count() or 1
        busy0 = _machine_busy_ticks()
        server0, own0, wall0 = _process_ticks(self._server_pids), _own_seconds(), time.perf_counter()
        self.start()
        yield
        self._stop_event.set()
        self.join()
        busy1 = _machine_busy_ticks()
        wall = time.perf_counter() - wall0
        seconds = {
            "server": (_process_ticks(self._server_pids) - server0) / hertz,
            "client": _own_seconds() - own0,
            "postgres": sum(
                max(_process_ticks([pid]), last) - first for pid, (first, last) in self._backend_ticks.items()
            )
            / hertz,
        }
        busy = (busy1 - busy0) / hertz
        seconds["other"] = max(0.0, busy - sum(seconds.values()))
        into["cpu"] = {"cores": cores, "machine_busy": round(busy / (wall * cores), 3)}
        into["cpu"].update({name: round(value / (wall * cores), 3) for name, value in seconds.items()})
        into["postgres_backends"] = {
            label: round(count / max(self._samples, 1), 2) for label, count in self._states.most_common()
        }
