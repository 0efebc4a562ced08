"""Smoke run of the embedded mode: no PORTAL_* variables, SQLite, a real server process."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.slow
def test_embedded_mode_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    # Keep the developer's var/ untouched: same defaults, but a temporary SQLite and storage.
    env["PORTAL_DATABASE_URL"] = f"sqlite:///{tmp_path / 'portal.sqlite3'}"
    env["PORTAL_STORAGE_ROOT"] = str(tmp_path / "storage")

    def manage(*args):
        return subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True,
            capture_output=True, text=True, timeout=600,
        )  # fmt: skip

    manage("migrate", "--noinput")
    demo = manage("load_demo", "--no-progress")
    assert "64 datasets (64 new)" in demo.stdout
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/", timeout=2)  # noqa: S310 - loopback
                break
            except OSError:
                time.sleep(0.2)
        home = urllib.request.urlopen(base + "/", timeout=10).read().decode()  # noqa: S310
        assert "Latest published datasets" in home
        pid = home.split('href="/datasets/', 1)[1].split("/", 1)[0]
        page = urllib.request.urlopen(f"{base}/datasets/{pid}/", timeout=10)  # noqa: S310
        assert page.status == 200
        api = urllib.request.urlopen(f"{base}/api/v1/datasets/{pid}", timeout=10)  # noqa: S310
        assert b'"files"' in api.read()
        css = urllib.request.urlopen(f"{base}/static/css/portal.css", timeout=10)  # noqa: S310
        assert css.status == 200
        with pytest.raises(urllib.error.HTTPError) as missing:
            # Another PID than the home page's (its last digit changed, so never the same one).
            other = pid[:-1] + ("1" if pid[-1] == "0" else "0")
            urllib.request.urlopen(f"{base}/datasets/{other}/", timeout=10)  # noqa: S310
        assert missing.value.code == 404
    finally:
        server.terminate()
        server.wait(timeout=20)
