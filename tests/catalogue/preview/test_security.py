"""The preview's safety: nothing outside the dataset a user may read is ever opened.

Two datasets share the storage root: a public one and an embargoed one holding
``secret.h5``. The public one's HDF5 file tries every way out: external links (relative,
absolute, via soft links, as an intermediate group), virtual datasets whose sources are the
secret file, external raw-data storage on it, symlinks, ``..`` and absolute file names. An
inotify watch on the secret file proves it is never even opened, and a control run through
h5grove's own reference resolution shows the same file does leak there.
"""

import ctypes
import datetime
import os
import struct
from pathlib import Path

import h5py
import numpy as np
import pytest
from django.contrib.auth.models import Group
from h5grove.content import get_content_from_file

from catalogue.models import DataFile, Status
from catalogue.storage import dataset_folder
from tests.catalogue.preview.conftest import dataset_with_files, h5grove_url
from tests.factories import CuratorFactory, UserFactory

pytestmark = pytest.mark.django_db

SECRET_VALUE = 4242.25
SECRET_MARKER = "TOP-SECRET-MARKER"
NOT_FOUND = {"message": "File not found!"}


class FileOpens:
    """Counts open(2) calls on files, with Linux inotify (IN_OPEN)."""

    IN_OPEN = 0x20

    def __init__(self, *paths: Path):
        self._libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self._libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        assert self.fd >= 0
        for path in paths:
            assert self._libc.inotify_add_watch(self.fd, os.fsencode(path), self.IN_OPEN) >= 0

    def count(self) -> int:
        events = 0
        while True:
            try:
                buffer = os.read(self.fd, 65536)
            except BlockingIOError:
                return events
            offset = 0
            while offset < len(buffer):
                _wd, _mask, _cookie, length = struct.unpack_from("iIII", buffer, offset)
                offset += 16 + length
                events += 1

    def close(self) -> None:
        os.close(self.fd)


def _write_secret(path: Path) -> None:
    with h5py.File(path, "w") as h5:
        h5["secret"] = np.full(16, SECRET_VALUE)
        h5["secret"].attrs["marker"] = SECRET_MARKER
        h5.attrs["marker"] = SECRET_MARKER


@pytest.fixture
def secret(db):
    """An embargoed published dataset with secret.h5 (and its raw bytes)."""
    future = datetime.date.today() + datetime.timedelta(days=365)
    dataset = dataset_with_files(embargo_until=future, writers={"secret.h5": _write_secret})
    path = dataset_folder(dataset.storage_folder) / "secret.h5"
    return dataset, path


def _write_escapes(secret_path: Path, secret_relative: str):
    def write(path: Path) -> None:
        with h5py.File(path, "w") as h5:
            h5["ok"] = np.arange(3)
            h5["ext_rel"] = h5py.ExternalLink(secret_relative, "/secret")
            h5["ext_abs"] = h5py.ExternalLink(str(secret_path), "/secret")
            h5["ext_root"] = h5py.ExternalLink(str(secret_path), "/")
            h5["soft_to_ext"] = h5py.SoftLink("/ext_abs")
            h5["loop"] = h5py.SoftLink("/loop")
            for name, source_file in (("vds_abs", str(secret_path)), ("vds_rel", secret_relative)):
                layout = h5py.VirtualLayout(shape=(16,), dtype="f8")
                layout[:] = h5py.VirtualSource(source_file, "secret", shape=(16,))
                h5.create_virtual_dataset(name, layout, fillvalue=-1)
            # External raw-data storage (H5Pset_external) on the secret file's bytes.
            h5.create_dataset("efl", shape=(64,), dtype="u1", external=[(str(secret_path), 0, 64)])

    return write


@pytest.fixture
def escapes(secret):
    secret_dataset, secret_path = secret
    relative = f"../{secret_dataset.storage_folder}/secret.h5"
    public = dataset_with_files(writers={"public.h5": _write_escapes(secret_path, relative)})
    return public, secret_path


ESCAPE_PATHS = ["/ext_rel", "/ext_abs", "/ext_root", "/soft_to_ext", "/vds_abs", "/vds_rel",
                "/efl", "/ext_root/secret", "/soft_to_ext/x", "/loop"]  # fmt: skip


def test_links_vds_and_external_storage_never_open_another_datasets_file(client, escapes):
    public, secret_path = escapes
    watch = FileOpens(secret_path)
    bodies = []
    try:
        for path in ESCAPE_PATHS:
            for resolve_links in (None, "only_valid", "all", "none"):
                params = {"file": "public.h5", "path": path}
                if resolve_links:
                    params["resolve_links"] = resolve_links
                bodies.append(client.get(h5grove_url(public, "meta"), params).content)
                bodies.append(client.get(h5grove_url(public, "paths"), params).content)
            for endpoint in ("data", "attr", "stats"):
                for fmt in ("json", "bin", "npy"):
                    params = {"file": "public.h5", "path": path, "format": fmt}
                    bodies.append(client.get(h5grove_url(public, endpoint), params).content)
        bodies.append(client.get(h5grove_url(public, "meta"), {"file": "public.h5"}).content)
        bodies.append(client.get(h5grove_url(public, "paths"), {"file": "public.h5"}).content)
        assert watch.count() == 0, "the embargoed dataset's file was opened"
    finally:
        watch.close()
    secret_bytes = secret_path.read_bytes()[:64]
    secret_binary = np.full(16, SECRET_VALUE).tobytes()
    for body in bodies:
        assert SECRET_MARKER.encode() not in body
        assert b"4242.25" not in body and secret_binary not in body
        assert secret_bytes not in body


def test_escapes_are_reported_as_unresolved_links(client, escapes):
    public, _secret_path = escapes
    root = client.get(h5grove_url(public, "meta"), {"file": "public.h5"}).json()
    kinds = {child["name"]: child["kind"] for child in root["children"]}
    assert kinds["ok"] == "dataset"
    for name in ("ext_rel", "ext_abs", "ext_root", "vds_abs", "vds_rel", "efl"):
        assert kinds[name] == "external_link", name
    assert kinds["soft_to_ext"] == "soft_link" and kinds["loop"] == "soft_link"
    for path in ("/ext_abs", "/vds_abs", "/efl", "/soft_to_ext", "/loop"):
        data = client.get(h5grove_url(public, "data"), {"file": "public.h5", "path": path})
        assert data.status_code == 404 and "Cannot resolve" in data.json()["message"], path
        params = {"file": "public.h5", "path": path, "resolve_links": "all"}
        strict = client.get(h5grove_url(public, "meta"), params)
        assert strict.status_code == 404 and "Cannot resolve" in strict.json()["message"], path
    through = client.get(
        h5grove_url(public, "meta"), {"file": "public.h5", "path": "/ext_root/secret"}
    )
    assert through.status_code == 404 and "not a valid path" in through.json()["message"]


def test_control_h5grove_reference_resolution_leaks_the_same_file(escapes):
    """The attack is real: h5grove's own create_content opens and reads the secret file."""
    public, secret_path = escapes
    public_file = dataset_folder(public.storage_folder) / "public.h5"
    watch = FileOpens(secret_path)
    try:

        def error(status, message):
            return RuntimeError(status, message)

        with get_content_from_file(public_file, "/ext_abs", error) as content:
            leaked = content.data()
        with get_content_from_file(public_file, "/vds_abs", error) as content:
            leaked_vds = content.data()
        assert watch.count() > 0
    finally:
        watch.close()
    assert leaked[0] == SECRET_VALUE and leaked_vds[0] == SECRET_VALUE


def test_links_inside_the_same_dataset_resolve(client):
    values = np.arange(12.0).reshape(3, 4)

    def write_target(path):
        with h5py.File(path, "w") as h5:
            h5["data"] = values
            h5["data"].attrs["units"] = "counts"

    def write_raw(path):
        path.write_bytes(bytes(range(16)))

    def write_main(path):
        with h5py.File(path, "w") as h5:
            h5["ext"] = h5py.ExternalLink("sub/target.h5", "/data")
            h5["soft"] = h5py.SoftLink("/ext")
            layout = h5py.VirtualLayout(shape=(3, 4), dtype="f8")
            layout[:] = h5py.VirtualSource("sub/target.h5", "data", shape=(3, 4))
            h5.create_virtual_dataset("vds", layout, fillvalue=-1)
            raw = str(path.parent / "raw.bin")
            h5.create_dataset("efl", shape=(16,), dtype="u1", external=[(raw, 0, 16)])
            # HDF5 opens relative raw-data names in the working directory, not here: refused.
            h5.create_dataset("efl_rel", shape=(16,), dtype="u1", external=[("raw.bin", 0, 16)])
            h5["unregistered"] = h5py.ExternalLink("not-registered.h5", "/data")

    ds = dataset_with_files(writers={"sub/target.h5": write_target, "raw.bin": write_raw,
                                     "main.h5": write_main})  # fmt: skip
    # A file that exists in the folder but is not registered is not reachable.
    with h5py.File(dataset_folder(ds.storage_folder) / "not-registered.h5", "w") as h5:
        h5["data"] = values
    for path in ("/ext", "/soft", "/vds"):
        got = client.get(h5grove_url(ds, "data"), {"file": "main.h5", "path": path})
        assert got.status_code == 200, (path, got.content)
        assert got.json() == values.tolist(), path
    attrs = client.get(h5grove_url(ds, "attr"), {"file": "main.h5", "path": "/ext"}).json()
    assert attrs == {"units": "counts"}
    efl = client.get(h5grove_url(ds, "data"), {"file": "main.h5", "path": "/efl"})
    assert efl.json() == list(range(16))
    for path in ("/unregistered", "/efl_rel"):
        meta = client.get(h5grove_url(ds, "meta"), {"file": "main.h5", "path": path})
        assert meta.json()["kind"] == "external_link", path


@pytest.mark.parametrize(
    "file",
    ["../{secret}/secret.h5", "{secret_abs}", "./public.h5", "sub/../public.h5",
     "..\\{secret}\\secret.h5", "public.h5\x00", "public.h5/", "/public.h5", "secret.h5",
     "%2e%2e/{secret}/secret.h5", "...", ""],
)  # fmt: skip
def test_file_names_that_leave_the_dataset_are_404(client, escapes, secret, file):
    public, secret_path = escapes
    secret_dataset, _ = secret
    name = file.format(secret=secret_dataset.storage_folder, secret_abs=secret_path)
    got = client.get(h5grove_url(public, "meta"), {"file": name})
    if name == "":
        assert got.status_code == 422  # the parameter is required
        return
    assert got.status_code == 404
    assert got.json() == NOT_FOUND


def test_registered_paths_are_checked_again_on_disk(client, escapes, secret):
    """Even a DataFile row with a bad path, or a symlink out of the folder, opens nothing."""
    public, secret_path = escapes
    folder = dataset_folder(public.storage_folder)
    (folder / "link.h5").symlink_to(secret_path)
    (folder / "linkdir").symlink_to(secret_path.parent, target_is_directory=True)
    for path in ("link.h5", "linkdir/secret.h5", f"../{secret[0].storage_folder}/secret.h5",
                 str(secret_path)):  # fmt: skip
        DataFile.objects.create(dataset=public, path=path, size=1, media_type="application/x-hdf5")
    watch = FileOpens(secret_path)
    try:
        for path in ("link.h5", "linkdir/secret.h5", f"../{secret[0].storage_folder}/secret.h5",
                     str(secret_path)):  # fmt: skip
            got = client.get(h5grove_url(public, "data"), {"file": path, "path": "/secret"})
            assert (got.status_code, got.json()) == (404, NOT_FOUND), path
        assert watch.count() == 0
    finally:
        watch.close()


def test_dataset_folder_symlinked_out_of_the_storage_root_is_refused(client, tmp_path, settings):
    outside = tmp_path / "outside"
    outside.mkdir()
    with h5py.File(outside / "x.h5", "w") as h5:
        h5["d"] = np.arange(3)
    ds = dataset_with_files()
    folder = dataset_folder(ds.storage_folder)
    folder.rmdir()
    folder.symlink_to(outside, target_is_directory=True)
    DataFile.objects.create(dataset=ds, path="x.h5", size=1, media_type="application/x-hdf5")
    got = client.get(h5grove_url(ds, "data"), {"file": "x.h5", "path": "/d"})
    assert (got.status_code, got.json()) == (404, NOT_FOUND)


def test_only_hdf5_files_by_signature_not_extension(client):
    def hdf5(path):
        with h5py.File(path, "w") as h5:
            h5["d"] = np.arange(3)

    def hdf5_with_user_block(path):
        with h5py.File(path, "w", userblock_size=1024) as h5:
            h5["d"] = np.arange(4)

    ds = dataset_with_files(writers={
        "notes.h5": lambda p: p.write_text("not HDF5 at all\n" * 10),
        "readme.txt": lambda p: p.write_text("hello"),
        "really-hdf5.dat": hdf5,
        "userblock.h5": hdf5_with_user_block,
    })  # fmt: skip
    for name in ("notes.h5", "readme.txt"):
        got = client.get(h5grove_url(ds, "meta"), {"file": name})
        assert got.status_code == 415 and "not an HDF5 file" in got.json()["message"], name
    got = client.get(h5grove_url(ds, "data"), {"file": "really-hdf5.dat", "path": "/d"})
    assert got.json() == [0, 1, 2]
    got = client.get(h5grove_url(ds, "data"), {"file": "userblock.h5", "path": "/d"})
    assert got.json() == [0, 1, 2, 3]


def _simple(path):
    with h5py.File(path, "w") as h5:
        h5["d"] = np.arange(5)


@pytest.mark.parametrize(
    ("status", "embargo", "who", "expected"),
    [
        (Status.PUBLISHED, False, "anonymous", 200),
        (Status.PUBLISHED, True, "anonymous", 404),
        (Status.PUBLISHED, True, "stranger", 404),
        (Status.PUBLISHED, True, "member", 200),
        (Status.PUBLISHED, True, "curator", 200),
        (Status.DRAFT, False, "anonymous", 404),
        (Status.DRAFT, False, "stranger", 404),
        (Status.DRAFT, False, "member", 200),
        (Status.IN_REVIEW, False, "curator", 200),
        (Status.WITHDRAWN, False, "anonymous", 404),
        (Status.WITHDRAWN, False, "member", 404),
    ],
)
def test_the_access_gate_decides_and_404_reveals_nothing(client, status, embargo, who, expected):
    future = datetime.date.today() + datetime.timedelta(days=30)
    ds = dataset_with_files(status, writers={"d.h5": _simple},
                            embargo_until=future if embargo else None)  # fmt: skip
    if who != "anonymous":
        user = CuratorFactory() if who == "curator" else UserFactory()
        if who == "member":
            user.groups.add(ds.owner_group)
        elif who == "stranger":
            user.groups.add(Group.objects.create(name="other-proposal"))
        client.force_login(user)
    for endpoint, params in (("meta", {}), ("data", {"path": "/d"}), ("attr", {}),
                             ("stats", {"path": "/d"}), ("paths", {})):  # fmt: skip
        got = client.get(h5grove_url(ds, endpoint), {"file": "d.h5", **params})
        assert got.status_code == expected, (endpoint, got.content)
        if expected == 404:
            assert got.json() == NOT_FOUND  # same as for a dataset that does not exist
    root = client.get(h5grove_url(ds, "").rstrip("/"))
    assert root.status_code == expected


def test_unknown_dataset_answers_exactly_like_a_forbidden_one(client):
    import uuid

    got = client.get(f"/datasets/{uuid.uuid4()}/h5grove/meta", {"file": "d.h5"})
    assert (got.status_code, got.json()) == (404, NOT_FOUND)
    assert client.get("/datasets/not-a-uuid/h5grove/meta", {"file": "d.h5"}).status_code == 404


def test_selections_above_the_byte_limit_are_413(client, settings):
    def write(path):
        with h5py.File(path, "w") as h5:
            h5["image"] = np.zeros((100, 100), dtype="<f8")  # 80,000 bytes
            h5["image"].attrs["big"] = np.zeros(2000)  # 16,000 bytes

    settings.PREVIEW_MAX_BYTES = 10_000
    ds = dataset_with_files(writers={"big.h5": write})
    url = h5grove_url(ds, "data")
    whole = client.get(url, {"file": "big.h5", "path": "/image", "format": "bin"})
    assert whole.status_code == 413
    assert "10,000" in whole.json()["message"] and "selection" in whole.json()["message"]
    stats = client.get(h5grove_url(ds, "stats"), {"file": "big.h5", "path": "/image"})
    assert stats.status_code == 413
    attrs = client.get(h5grove_url(ds, "attr"), {"file": "big.h5", "path": "/image"})
    assert attrs.status_code == 413
    part = client.get(url, {"file": "big.h5", "path": "/image", "selection": "0:10,0:100",
                            "format": "bin"})  # fmt: skip
    assert part.status_code == 200 and len(part.content) == 8000
    strided = client.get(url, {"file": "big.h5", "path": "/image", "selection": "::8,::8"})
    assert strided.status_code == 200 and np.asarray(strided.json()).shape == (13, 13)


@pytest.mark.parametrize(
    "params",
    [
        {"selection": "a"},
        {"selection": "1:2:3:4"},
        {"selection": "0,0,0"},  # 3 members for a 2D dataset
        {"selection": "99,0"},
        {"selection": "0,-11"},
        {"selection": "::-1"},
        {"selection": "1,"},
        {"selection": ""},
        {"selection": "0:5:0"},
        {"format": "xml"},
        {"dtype": "float"},
        {"format": "csv", "path": "/scalar"},
    ],
)
def test_malformed_requests_are_422_with_a_message(client, params):
    def write(path):
        with h5py.File(path, "w") as h5:
            h5["image"] = np.arange(100).reshape(10, 10)
            h5["scalar"] = 3.0

    ds = dataset_with_files(writers={"m.h5": write})
    got = client.get(h5grove_url(ds, "data"), {"file": "m.h5", "path": "/image", **params})
    assert got.status_code == 422, got.content
    assert got["Content-Type"] == "application/json" and got.json()["message"]


def test_other_bad_requests(client):
    ds = dataset_with_files(writers={"d.h5": _simple})
    url = h5grove_url(ds, "meta")
    assert client.get(url).status_code == 422  # no file
    bad_links = client.get(url, {"file": "d.h5", "resolve_links": "sometimes"})
    assert bad_links.status_code == 422 and "link resolution" in bad_links.json()["message"]
    missing = client.get(url, {"file": "d.h5", "path": "/nope"})
    assert missing.status_code == 404 and "not a valid path" in missing.json()["message"]
    group_data = client.get(h5grove_url(ds, "data"), {"file": "d.h5", "path": "/"})
    assert group_data.status_code == 422 and "not a dataset" in group_data.json()["message"]
    dataset_paths = client.get(h5grove_url(ds, "paths"), {"file": "d.h5", "path": "/d"})
    assert dataset_paths.status_code == 422
    no_attr = client.get(h5grove_url(ds, "attr"), {"file": "d.h5", "attr_keys": "nope"})
    assert no_attr.status_code == 404
    assert client.post(url, {"file": "d.h5"}).status_code == 405
