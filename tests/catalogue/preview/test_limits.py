"""The byte limit is computed from shapes alone: it must agree with what NumPy/h5py select."""

import random

import numpy as np
import pytest

from catalogue.preview.api import PreviewError, selected_shape
from catalogue.preview.files import is_hdf5_file


def _member(rng: random.Random, length: int) -> str:
    kind = rng.choice(["int", "slice", "step", "open"])
    if kind == "int":
        return str(rng.randrange(-length, length))
    start, stop = rng.randrange(-length, length + 3), rng.randrange(-length, length + 3)
    if kind == "slice":
        return f"{start}:{stop}"
    if kind == "step":
        return f"{start}:{stop}:{rng.randrange(1, 5)}"
    return rng.choice([":", f"{start}:", f":{stop}", f"::{rng.randrange(1, 4)}"])


def test_selected_shape_matches_numpy_for_random_selections():
    rng = random.Random(6)
    for _ in range(2000):
        shape = tuple(rng.randrange(1, 9) for _ in range(rng.randrange(1, 4)))
        members = [_member(rng, n) for n in shape[: rng.randrange(1, len(shape) + 1)]]
        selection = ",".join(members)
        expected = np.empty(shape)[
            tuple(int(m) if ":" not in m else slice(*[int(p) if p else None for p in m.split(":")])
                  for m in members)
        ].shape  # fmt: skip
        assert selected_shape(shape, selection) == expected, (shape, selection)


@pytest.mark.parametrize(
    ("shape", "selection"),
    [((4, 4), "4"), ((4, 4), "-5"), ((4,), "0,0"), ((4,), "::0"), ((4,), "1:2:-1"), ((), "0"),
     (None, "0"), ((4,), "x"), ((4,), "1:2:3:4")],
)  # fmt: skip
def test_selected_shape_refuses_what_cannot_be_read(shape, selection):
    with pytest.raises(PreviewError) as error:
        selected_shape(shape, selection)
    assert error.value.status == 422


def test_hdf5_signature_at_any_allowed_offset(tmp_path):
    signature = b"\x89HDF\r\n\x1a\n"
    cases = {"at0": signature + b"x" * 600, "at512": b"u" * 512 + signature,
             "at2048": b"u" * 2048 + signature, "at100": b"u" * 100 + signature + b"u" * 900,
             "short": signature[:4], "empty": b""}  # fmt: skip
    for name, data in cases.items():
        (tmp_path / name).write_bytes(data)
    found = {name for name in cases if is_hdf5_file(tmp_path / name)}
    assert found == {"at0", "at512", "at2048"}
    assert not is_hdf5_file(tmp_path / "missing")
