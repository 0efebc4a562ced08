"""Failure drills: the real engines, really broken, while clients keep asking.

Each drill module starts what it breaks (its own Elasticsearch cluster, PostgreSQL, Redis,
Celery workers) on loopback ports of its own with the project's scripts, once per module,
and stops it afterwards; the shared test services are never touched. Every drill is bounded
in time: loops stop at deadlines, and every HTTP request has a timeout.
"""

import os
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_SH = ROOT / "scripts" / "prod.sh"


def drill_dir(name: str) -> Path:
    """A state folder for a drill's services, outside pytest's tmp folders (which pytest
    prunes when other runs start) and outside the repository."""
    base = os.environ.get("PORTAL_DRILL_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
        "open-data-portal",
        "drills",
    )
    folder = Path(base) / name
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    return folder


def run_script(*args: str, env: dict | None = None, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(PROD_SH), *args],
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if result.returncode != 0:
        pytest.fail(f"prod.sh {' '.join(args)} failed:\n{result.stderr[-3000:]}", pytrace=False)
    return result.stdout


def pid_lines(output: str) -> dict[str, int]:
    pids = {}
    for line in output.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "PID":
            pids[parts[1]] = int(parts[2])
    return pids


def http_get(url: str, timeout: float = 15):
    """(status, body) of a GET; a connection failure or timeout is status 0."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:  # noqa: S310 - loopback
            return r.status, r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, OSError) as exc:
        return 0, str(exc).encode()


@dataclass
class Load:
    """Clients asking the portal in threads until stopped; every answer is recorded."""

    statuses: Counter = field(default_factory=Counter)
    failures: list = field(default_factory=list)
    durations: list = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self, work, *, threads: int = 3) -> None:
        def loop():
            try:
                while not self.stop.is_set():
                    started = time.monotonic()
                    status, detail = work()
                    with self.lock:
                        self.durations.append(time.monotonic() - started)
                        self.statuses[status] += 1
                        if detail is not None:
                            self.failures.append((status, detail))
            finally:
                from django.db import connection

                connection.close()

        for _ in range(threads):
            thread = threading.Thread(target=loop, daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)
