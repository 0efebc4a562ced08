"""The h5grove endpoints answer what h5py reads from the real demo files, in every format.

Every dataset and every attribute of every HDF5/NeXus sample file of the demo (copies of
../shared/refdata/nexus-exampledata and nexpy) is read through the endpoints and compared
with a direct h5py read: values, shapes, dtypes, attributes. The npy, csv and tiff bodies are
decoded with numpy and tifffile, the clients a user would use.
"""

import io
import json
import math

import h5py
import numpy as np
import pytest
import tifffile

from tests.catalogue.preview.conftest import DEMO_HDF5, h5grove_url

pytestmark = pytest.mark.django_db

NUMERIC = "biuf"


def _plain(value):
    """A value as JSON would carry it (h5grove's orjson encoding), for comparisons."""
    if isinstance(value, h5py.Empty):
        return None
    if isinstance(value, np.ndarray):
        return _plain(value[()]) if value.ndim == 0 else [_plain(v) for v in value]
    if isinstance(value, bytes | np.bytes_):
        return bytes(value).decode()
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def assert_same(received, expected, where: str) -> None:
    expected_array = np.asarray(expected)
    if expected_array.dtype.kind in NUMERIC:
        got = np.asarray(received, dtype=expected_array.dtype)
        assert got.shape == expected_array.shape, where
        np.testing.assert_array_equal(got, expected_array, err_msg=where)
    else:
        assert received == _plain(expected), where


def _entities(h5: h5py.File):
    """(path, object) of every group and dataset reached by hard links (H5Ovisit)."""
    found = [("/", h5["/"])]
    h5.visititems(lambda name, obj: found.append(("/" + name, obj)))
    return found


def _get(client, dataset, endpoint, **params):
    return client.get(h5grove_url(dataset, endpoint), params)


@pytest.mark.parametrize("source", DEMO_HDF5, ids=lambda p: p.name)
def test_every_entity_equals_h5py_in_every_format(client, demo_dataset, source):
    file = source.name
    checked = 0
    with h5py.File(source, "r") as h5:
        for path, obj in _entities(h5):
            where = f"{file}:{path}"
            meta = _get(client, demo_dataset, "meta", file=file, path=path)
            assert meta.status_code == 200, (where, meta.content)
            meta = meta.json()
            assert meta["name"] == path.rsplit("/", 1)[-1]
            if isinstance(obj, h5py.Dataset) and obj.is_virtual:
                # Therm_6_2.nxs: its sources sit behind a dangling external link; the policy
                # reports it unresolved and never reads it (test_security has the details).
                assert meta["kind"] == "external_link", where
                continue
            assert [a["name"] for a in meta["attributes"]] == sorted(obj.attrs.keys()), where

            attrs = _get(client, demo_dataset, "attr", file=file, path=path)
            assert attrs.status_code == 200, where
            attrs = attrs.json()
            assert sorted(attrs) == sorted(obj.attrs.keys()), where
            for key, expected in obj.attrs.items():
                assert_same(attrs[key], expected, f"{where}@{key}")
            for a in meta["attributes"]:
                assert tuple(a["shape"] or ()) == (obj.attrs.get_id(a["name"]).shape or ())

            if isinstance(obj, h5py.Group):
                assert meta["kind"] == "group", where
                assert [c["name"] for c in meta["children"]] == list(obj.keys()), where
                continue
            assert meta["kind"] == "dataset", where
            assert tuple(meta["shape"]) == obj.shape, where
            assert meta["type"]["dtype"] == obj.dtype.str, where
            assert meta["chunks"] == (list(obj.chunks) if obj.chunks else None), where
            _check_values(client, demo_dataset, file, path, obj, where)
            checked += 1
    assert checked > 0


def _check_values(client, dataset, file, path, obj, where):
    expected = obj[()]
    as_json = _get(client, dataset, "data", file=file, path=path)
    assert as_json.status_code == 200 and as_json["Content-Type"] == "application/json", where
    assert_same(json.loads(as_json.content), expected, where)

    kind = obj.dtype.kind
    raw = _get(client, dataset, "data", file=file, path=path, format="bin", dtype="safe")
    if kind not in NUMERIC:
        # h5grove: no JavaScript-safe conversion of text, and no npy/csv/tiff of it.
        assert raw.status_code == 422, where
        plain = _get(client, dataset, "data", file=file, path=path, format="bin")
        assert plain.content == np.asarray(expected).tobytes(), where
        for fmt in ("npy", "csv", "tiff"):
            refused = _get(client, dataset, "data", file=file, path=path, format=fmt)
            assert refused.status_code == 422 and "message" in refused.json(), (where, fmt)
        return
    # The demo's numeric types are all little-endian 8-64 bit: "safe" keeps them as they are.
    assert raw.status_code == 200 and raw["Content-Type"] == "application/octet-stream"
    assert int(raw["Content-Length"]) == len(raw.content) == obj.size * obj.dtype.itemsize
    np.testing.assert_array_equal(
        np.frombuffer(raw.content, dtype=obj.dtype).reshape(obj.shape), expected, err_msg=where
    )

    npy = _get(client, dataset, "data", file=file, path=path, format="npy")
    assert npy.status_code == 200 and 'filename="data.npy"' in npy["Content-Disposition"]
    loaded = np.load(io.BytesIO(npy.content), allow_pickle=False)
    assert loaded.dtype == obj.dtype and loaded.shape == obj.shape, where
    np.testing.assert_array_equal(loaded, expected, err_msg=where)

    csv = _get(client, dataset, "data", file=file, path=path, format="csv")
    tiff = _get(client, dataset, "data", file=file, path=path, format="tiff")
    if obj.ndim == 0:
        assert csv.status_code == 422 and tiff.status_code == 422, where  # h5grove: no scalars
    elif obj.ndim <= 2:
        assert csv.status_code == 200 and csv["Content-Type"] == "text/csv", where
        table = np.loadtxt(io.StringIO(csv.content.decode()), delimiter=",", ndmin=obj.ndim)
        np.testing.assert_array_equal(table, np.asarray(expected, dtype=np.float64), where)
        if obj.ndim == 1:
            assert tiff.status_code == 422, where  # an image needs two dimensions
        else:
            assert tiff.status_code == 200 and tiff["Content-Type"] == "image/tiff", where
            image = tifffile.imread(io.BytesIO(tiff.content))
            assert image.dtype == obj.dtype and image.shape == obj.shape, where
            np.testing.assert_array_equal(image, expected, err_msg=where)

    stats = _get(client, dataset, "stats", file=file, path=path)
    assert stats.status_code == 200, where
    stats = stats.json()
    finite = np.asarray(expected)[np.isfinite(expected)] if kind == "f" else np.asarray(expected)
    if finite.size:
        assert stats["min"] == pytest.approx(finite.min()), where
        assert stats["max"] == pytest.approx(finite.max()), where
        cast = float if kind == "f" else int  # h5grove's get_array_stats casts to the data's kind
        assert stats["mean"] == pytest.approx(cast(finite.mean()), rel=1e-6), where


def test_selection_slices_like_numpy_in_every_format(client, demo_dataset):
    source = next(p for p in DEMO_HDF5 if p.name == "chopper.nxs")
    with h5py.File(source, "r") as h5:
        full = h5["/entry/data/data"][()]
    params = {"file": "chopper.nxs", "path": "/entry/data/data"}
    for selection, expected in [
        ("10:20, 100:140:3", full[10:20, 100:140:3]),
        ("5", full[5]),
        ("-1,::50", full[-1, ::50]),
        ("3:4, 7", full[3:4, 7]),
    ]:
        got = _get(client, demo_dataset, "data", selection=selection, **params)
        assert_same(got.json(), expected, selection)
        raw = _get(client, demo_dataset, "data", selection=selection, format="bin", **params)
        np.testing.assert_array_equal(
            np.frombuffer(raw.content, dtype=full.dtype).reshape(expected.shape), expected
        )
        npy = _get(client, demo_dataset, "data", selection=selection, format="npy", **params)
        np.testing.assert_array_equal(np.load(io.BytesIO(npy.content)), expected)
    flat = _get(client, demo_dataset, "data", selection="0:2, 0:3", flatten="true", **params)
    assert flat.json() == full[0:2, 0:3].ravel().tolist()
    stats = _get(client, demo_dataset, "stats", selection="0:10, 0:10", **params).json()
    assert stats["max"] == int(full[0:10, 0:10].max())


def test_nexus_default_plot_is_described_as_h5web_needs_it(client, demo_dataset):
    """NeXus default plot: root ``default`` → NXentry ``default`` → NXdata signal/axes."""
    root = _get(client, demo_dataset, "attr", file="chopper.nxs", path="/").json()
    entry = _get(client, demo_dataset, "attr", file="chopper.nxs", path=f"/{root['default']}")
    nxdata_path = f"/{root['default']}/{entry.json()['default']}"
    nxdata = _get(client, demo_dataset, "attr", file="chopper.nxs", path=nxdata_path).json()
    assert nxdata["NX_class"] == "NXdata"
    signal = _get(client, demo_dataset, "meta", file="chopper.nxs",
                  path=f"{nxdata_path}/{nxdata['signal']}").json()  # fmt: skip
    assert signal["kind"] == "dataset" and len(signal["shape"]) == 2


def test_paths_lists_every_link_like_h5grove(client, demo_dataset):
    source = next(p for p in DEMO_HDF5 if p.name == "Therm_6_2.nxs")
    with h5py.File(source, "r") as h5:
        names = []
        h5.id.links.visit(lambda n: names.append("/" + n.decode()))
    got = _get(client, demo_dataset, "paths", file="Therm_6_2.nxs").json()
    assert got == ["/", *names]
    below = _get(client, demo_dataset, "paths", file="Therm_6_2.nxs", path="/entry/data").json()
    assert below[0] == "/entry/data" and "/entry/data/data_000001" in below
    # resolve_links=all: the dangling external link makes the listing fail, as in h5grove.
    assert (
        _get(client, demo_dataset, "paths", file="Therm_6_2.nxs", resolve_links="all").status_code
        == 404
    )


def test_dangling_external_link_and_vds_are_reported_unresolved(client, demo_dataset):
    group = _get(client, demo_dataset, "meta", file="Therm_6_2.nxs", path="/entry/data").json()
    children = {c["name"]: c for c in group["children"]}
    link = children["data_000001"]
    assert link["kind"] == "external_link"
    assert (link["target_file"], link["target_path"]) == ("Therm_6_2_000001.h5", "/data")
    # The virtual dataset takes its data through that link: unresolved, never read.
    assert children["data"]["kind"] == "external_link"
    assert children["data"]["target_file"] == "Therm_6_2.nxs"
    assert children["data"]["target_path"] == "/entry/data/data_000001"
    assert children["omega"]["kind"] == "dataset"
    direct = _get(
        client, demo_dataset, "meta", file="Therm_6_2.nxs", path="/entry/data/data_000001"
    )
    assert direct.json()["kind"] == "external_link"
    data = _get(client, demo_dataset, "data", file="Therm_6_2.nxs", path="/entry/data/data")
    assert data.status_code == 404 and "Cannot resolve" in data.json()["message"]
    strict = _get(client, demo_dataset, "meta", file="Therm_6_2.nxs",
                  path="/entry/data/data_000001", resolve_links="all")  # fmt: skip
    assert strict.status_code == 404 and "Cannot resolve" in strict.json()["message"]
    none = _get(client, demo_dataset, "meta", file="Therm_6_2.nxs",
                path="/entry/data/data_000001", resolve_links="none")  # fmt: skip
    assert none.json()["kind"] == "external_link"


def test_safe_dtype_converts_like_h5grove(client, settings):
    from tests.catalogue.preview.conftest import dataset_with_files

    def write(path):
        with h5py.File(path, "w") as h5:
            h5["half"] = np.arange(6, dtype="<f2").reshape(2, 3)
            h5["big"] = np.arange(4, dtype=">i4")

    ds = dataset_with_files(writers={"types.h5": write})
    half = client.get(h5grove_url(ds, "data"), {"file": "types.h5", "path": "/half",
                                                 "format": "bin", "dtype": "safe"})  # fmt: skip
    np.testing.assert_array_equal(np.frombuffer(half.content, "<f4"), np.arange(6))
    big = client.get(h5grove_url(ds, "data"), {"file": "types.h5", "path": "/big",
                                                "format": "bin", "dtype": "safe"})  # fmt: skip
    np.testing.assert_array_equal(np.frombuffer(big.content, "<i4"), np.arange(4))
    origin = client.get(h5grove_url(ds, "data"), {"file": "types.h5", "path": "/big",
                                                  "format": "bin"})  # fmt: skip
    np.testing.assert_array_equal(np.frombuffer(origin.content, ">i4"), np.arange(4))


def test_compressed_data_decodes_with_hdf5plugin(client):
    import hdf5plugin

    from tests.catalogue.preview.conftest import dataset_with_files

    values = np.arange(200 * 300, dtype="<f4").reshape(200, 300) % 97
    filters = {
        "bitshuffle_lz4": hdf5plugin.Bitshuffle(cname="lz4"),
        "lz4": hdf5plugin.LZ4(),
        "blosc": hdf5plugin.Blosc(cname="zstd"),
        "zstd": hdf5plugin.Zstd(),
    }

    def write(path):
        with h5py.File(path, "w") as h5:
            for name, compression in filters.items():
                h5.create_dataset(name, data=values, chunks=(50, 60), **compression)

    ds = dataset_with_files(writers={"compressed.h5": write})
    for name in filters:
        meta = client.get(h5grove_url(ds, "meta"), {"file": "compressed.h5", "path": f"/{name}"})
        assert meta.json()["filters"], name
        params = {"file": "compressed.h5", "path": f"/{name}", "format": "bin",
                  "selection": "10:90,5:200"}  # fmt: skip
        got = client.get(h5grove_url(ds, "data"), params)
        assert got.status_code == 200, (name, got.content)
        np.testing.assert_array_equal(
            np.frombuffer(got.content, "<f4").reshape(80, 195), values[10:90, 5:200]
        )
