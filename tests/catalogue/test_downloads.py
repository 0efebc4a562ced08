"""File downloads: nginx serves the bytes (X-Accel-Redirect) after the access gate; without
nginx the portal streams them with ranges. RFC 5987/6266 names either way.

The nginx test runs Debian's nginx with deploy/nginx.conf in front of a live portal."""

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

from catalogue.models import Status
from catalogue.services.files import dataset_files_register, scan_folder
from catalogue.storage import dataset_folder
from tests.factories import make_dataset

ROOT = Path(__file__).resolve().parents[2]
NAME = "Données été 2024 (run #7).h5"
PAYLOAD = bytes(range(256)) * 64


def _dataset_with_file(status=Status.PUBLISHED):
    ds = make_dataset(status=status)
    folder = dataset_folder(ds.storage_folder)
    (folder / "raw").mkdir(parents=True)
    (folder / "raw" / NAME).write_bytes(PAYLOAD)
    dataset_files_register(dataset=ds, files=scan_folder(ds.storage_folder))
    return ds


def _url(ds) -> str:
    return f"/datasets/{ds.pid}/files/raw/{quote(NAME)}"


@pytest.mark.django_db
def test_production_answers_x_accel_redirect_after_the_gate(client, settings):
    settings.FILES_X_ACCEL_PREFIX = "/_protected_files"
    ds = _dataset_with_file()
    response = client.get(_url(ds))
    assert response.status_code == 200
    assert response.content == b""  # Python moves no file bytes
    assert response["X-Accel-Redirect"] == (
        f"/_protected_files/{ds.storage_folder}/raw/{quote(NAME)}"
    )
    # RFC 6266 §4.3: an ASCII-safe form and the exact name as RFC 5987 filename*.
    assert response["Content-Disposition"] == (f"attachment; filename*=utf-8''{quote(NAME)}")
    assert response["Cache-Control"] == "private, no-cache"


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_no_x_accel_redirect_for_a_file_the_gate_refuses(client, settings, status):
    settings.FILES_X_ACCEL_PREFIX = "/_protected_files"
    ds = _dataset_with_file(status=status)
    response = client.get(_url(ds))
    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


@pytest.mark.django_db
def test_embedded_mode_streams_with_ranges_and_the_same_name(client, settings):
    settings.FILES_X_ACCEL_PREFIX = ""
    ds = _dataset_with_file()
    part = client.get(_url(ds), HTTP_RANGE="bytes=10-19")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == PAYLOAD[10:20]
    assert part["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(NAME)}"
    whole = client.get(_url(ds))
    assert "filename*=utf-8''" in whole["Content-Disposition"]
    assert b"".join(whole.streaming_content) == PAYLOAD


# ------------------------------------------------------------------ through nginx --
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def nginx(live_server, settings, tmp_path):
    """Debian's nginx with deploy/nginx.conf, in front of the live test server."""
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    if not os.path.exists(binary):
        pytest.fail("nginx is missing: apt-get install nginx (make test installs it)")
    settings.FILES_X_ACCEL_PREFIX = "/_protected_files"
    port = _free_port()
    static = tmp_path / "static"
    static.mkdir()
    conf_dir = tmp_path / "nginx"
    (conf_dir / "logs").mkdir(parents=True)
    server = (ROOT / "deploy" / "nginx.conf").read_text()
    for key, value in {
        "@LISTEN@": f"127.0.0.1:{port}",
        "@UPSTREAM@": live_server.url.removeprefix("http://"),
        "@STATIC_ROOT@": str(static),
        "@STORAGE_ROOT@": str(settings.STORAGE_ROOT),
        "@ACCEL_PREFIX@": "/_protected_files",
        "@PROXY_PARAMS@": str(ROOT / "deploy" / "proxy_params"),
    }.items():
        server = server.replace(key, value)
    (conf_dir / "portal.conf").write_text(server)
    # Workers run as the test's user so they can read pytest's private tmp folders.
    user = "user root;" if os.geteuid() == 0 else ""
    (conf_dir / "nginx.conf").write_text(
        f"""{user}
worker_processes 1;
pid {conf_dir}/nginx.pid;
error_log {conf_dir}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log {conf_dir}/logs/access.log;
    client_body_temp_path {conf_dir}/body; proxy_temp_path {conf_dir}/proxy;
    fastcgi_temp_path {conf_dir}/fcgi; uwsgi_temp_path {conf_dir}/uwsgi;
    scgi_temp_path {conf_dir}/scgi;
    include {conf_dir}/portal.conf;
}}
"""
    )
    cmd = [binary, "-p", str(conf_dir), "-c", str(conf_dir / "nginx.conf")]
    subprocess.run([*cmd, "-t", "-q"], check=True, capture_output=True)
    subprocess.run(cmd, check=True)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            break
        except OSError:
            time.sleep(0.1)
    yield f"http://127.0.0.1:{port}"
    subprocess.run([*cmd, "-s", "stop"], check=False)


def _get(url: str, **headers):
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - loopback
    try:
        with urllib.request.urlopen(request, timeout=20) as r:  # noqa: S310 - loopback
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_nginx_serves_the_file_only_after_the_gate(nginx):
    public = _dataset_with_file()
    draft = _dataset_with_file(status=Status.DRAFT)

    status, headers, body = _get(nginx + _url(public))
    assert status == 200 and body == PAYLOAD
    assert headers["Content-Disposition"] == f"attachment; filename*=utf-8''{quote(NAME)}"
    assert headers["Content-Type"] == "application/x-hdf5"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" in headers
    assert "X-Accel-Redirect" not in headers

    status, headers, body = _get(nginx + _url(public), Range="bytes=100-199")
    assert status == 206 and body == PAYLOAD[100:200]
    assert headers["Content-Range"] == f"bytes 100-199/{len(PAYLOAD)}"

    # The gate refuses: nginx never looks at the file.
    status, _, body = _get(nginx + _url(draft))
    assert status == 404 and PAYLOAD not in body
    # The internal location cannot be asked for directly.
    direct = f"{nginx}/_protected_files/{public.storage_folder}/raw/{quote(NAME)}"
    status, _, body = _get(direct)
    assert status == 404 and body != PAYLOAD
