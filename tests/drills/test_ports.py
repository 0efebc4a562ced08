"""The provisioning scripts' loopback ports.

Every default port lies outside the kernel's ephemeral range: a port inside it can be the
local end of any outgoing connection at the moment a service binds, and the service then dies
with "address already in use" (CI lost Keycloak on its old default 58180 that way). A port
some other process really listens on is refused before anything starts, naming the holder.
"""

import os
import re
import socket
import subprocess
from pathlib import Path

from tests.drills.conftest import ROOT, drill_dir

SCRIPTS = [ROOT / "scripts" / "services.sh", ROOT / "scripts" / "prod.sh"]
# Defaults such as ${PORTAL_PG_PORT:-25432} and ${PORTAL_GUNICORN_BIND:-127.0.0.1:28080}
DEFAULT = re.compile(r"\$\{(PORTAL_[A-Z_]+):-(?:127\.0\.0\.1:)?(\d+)\}")


def ephemeral_range() -> range:
    low, high = Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()
    return range(int(low), int(high) + 1)


def default_ports() -> dict[str, int]:
    ports = {}
    for script in SCRIPTS:
        for name, value in DEFAULT.findall(script.read_text()):
            if name.endswith(("_PORT", "_BASE", "_BIND")):
                ports[name] = int(value)
    return ports


def test_every_default_port_is_outside_the_ephemeral_range():
    ports = default_ports()
    # The scripts' ports as the README lists them: a renamed variable must not slip by.
    assert {
        "PORTAL_PG_PORT",
        "PORTAL_REDIS_PORT",
        "PORTAL_ES_PORT",
        "PORTAL_KC_PORT",
        "PORTAL_KC_MANAGEMENT_PORT",
        "PORTAL_PROD_PG_PORT",
        "PORTAL_PROD_REDIS_PORT",
        "PORTAL_PROD_ES_HTTP_BASE",
        "PORTAL_PROD_ES_TRANSPORT_BASE",
        "PORTAL_GUNICORN_BIND",
    } <= set(ports)
    ephemeral = ephemeral_range()
    # ES transport is http + 100; the prod nodes are base + 1..9.
    used = {name: [port] for name, port in ports.items()}
    used["PORTAL_ES_PORT"].append(ports["PORTAL_ES_PORT"] + 100)
    for name in ("PORTAL_PROD_ES_HTTP_BASE", "PORTAL_PROD_ES_TRANSPORT_BASE"):
        used[name] = [ports[name] + i for i in range(1, 10)]
    inside = {name: p for name, ps in used.items() for p in ps if p in ephemeral}
    assert not inside, f"default ports inside the ephemeral range {ephemeral}: {inside}"
    assert all(1024 <= p < 32768 for ps in used.values() for p in ps)


def test_a_port_someone_listens_on_is_refused_before_anything_starts():
    state = drill_dir("ports")
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = subprocess.run(
            [str(ROOT / "scripts" / "services.sh"), "start"],
            env={**os.environ, "PORTAL_SERVICES_DIR": str(state), "PORTAL_PG_PORT": str(port)},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode == 1, result.stderr
    assert result.stdout == ""  # no PORTAL_* lines for a Makefile to eval
    message = result.stderr.strip().splitlines()[-1]
    assert f"port {port} (PORTAL_PG_PORT) is already taken" in message
    assert f"pid={os.getpid()}" in message  # ss names the holder: this very test process
    # Refused before initdb: no cluster was made in the state folder.
    assert not (state / "postgres").exists() or not any((state / "postgres").rglob("PG_VERSION"))
