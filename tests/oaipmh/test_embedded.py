"""The provider on the embedded mode's SQLite: the keyset SQL (CASE datestamp, uuid order)
must page the same way there as on PostgreSQL."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_harvest_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PORTAL_")}
    env.update(
        PORTAL_DATABASE_URL=f"sqlite:///{tmp_path / 'portal.sqlite3'}",
        PORTAL_STORAGE_ROOT=str(tmp_path / "storage"),
        PORTAL_OAI_PAGE_SIZE="2",
        DJANGO_SETTINGS_MODULE="portal.settings",
    )
    result = subprocess.run(
        [sys.executable, "tests/oaipmh/embedded_harvest.py"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=True,
    )  # fmt: skip
    got = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(got["seen"]) == sorted(got["public"])
    assert len(got["seen"]) == len(set(got["seen"]))
    assert got["deleted"] == [got["withdrawn"]]
    assert got["until"] == "4"  # days 0 and 1, two datasets each
