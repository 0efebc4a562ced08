#!/usr/bin/env python3
"""Benchmark: HDF5's sieve buffer size against the selections H5Web makes of contiguous
(unchunked) datasets, to choose ``PORTAL_PREVIEW_SIEVE_BYTES``.

    .venv/bin/python benchmarks/h5sieve.py          # ~1 minute, writes ~420 MiB once

HDF5 reads each piece of a strided selection of contiguous data through a sieve buffer
(``H5Pset_sieve_buf_size``, 64 KiB by default): for a tile of an image it reads that much per
row however little of the row is wanted. Without a buffer, every piece is its own read, which
is slow when pieces are tiny (a few columns of a narrow table). This times, in one process with
the page cache warm, h5py reads with several sizes in rotation (each size on a fresh open of the
file), p50 of the repetitions per case:

- ``tile``: 512 x 512 window of an 8192 x 8192 float32 image (what the heatmap asks for);
- ``column``: one column of that image (a line profile across rows);
- ``row``: one row (contiguous in the file: one read whatever the size);
- ``narrow``: 100,000 rows x 4 of a 2,000,000 x 8 float32 table (rows of 32 bytes);
- ``vector``: 262,144 consecutive values of a 1D dataset.

Prints a table; nothing is written to docs/performance.md (the choice is explained beside the
setting in portal/settings/preview.py and in the stop 24 section there).
"""

import random
import statistics
import sys
import time
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data" / "h5sieve" / "sieve.h5"
SIZES = (65536, 16384, 8192, 4096, 0)
IMAGE = (8192, 8192)


def write(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    print(f"writing {path}…", file=sys.stderr, flush=True)
    rng = np.random.default_rng(7)
    tmp = path.with_suffix(".tmp")
    with h5py.File(tmp, "w") as h5:
        image = h5.create_dataset("image", shape=IMAGE, dtype="<f4")
        for start in range(0, IMAGE[0], 1024):
            image[start : start + 1024] = rng.random((1024, IMAGE[1]), dtype=np.float32)
        h5.create_dataset("narrow", data=rng.random((2_000_000, 8), dtype=np.float32))
        h5.create_dataset("vector", data=rng.random(20_000_000, dtype=np.float32))
    tmp.rename(path)


def cases(rng: random.Random) -> dict:
    def tile():
        r, c = rng.randrange(0, IMAGE[0] - 512), rng.randrange(0, IMAGE[1] - 512)
        return "image", np.s_[r : r + 512, c : c + 512]

    def narrow():
        r = rng.randrange(0, 1_900_000)
        return "narrow", np.s_[r : r + 100_000, 0:4]

    def vector():
        r = rng.randrange(0, 19_000_000)
        return "vector", np.s_[r : r + 262_144]

    return {
        "tile 512 x 512": (tile, 100),
        "column": (lambda: ("image", np.s_[:, rng.randrange(0, IMAGE[1])]), 10),
        "row": (lambda: ("image", np.s_[rng.randrange(0, IMAGE[0]), :]), 100),
        "narrow 100000 x 4": (narrow, 10),
        "vector 262144": (vector, 100),
    }


def open_with_sieve(path: Path, size: int) -> h5py.File:
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_sieve_buf_size(size)
    return h5py.File(h5py.h5f.open(str(path).encode(), h5py.h5f.ACC_RDONLY, fapl=fapl))


def main() -> None:
    write(DATA)
    with open(DATA, "rb") as handle:  # page cache warm: time HDF5, not the disk
        while handle.read(64 << 20):
            pass
    rng = random.Random(24)
    times: dict[tuple[str, int], list[float]] = {}
    for rotation in range(2):
        for name, (make, repeat) in cases(rng).items():
            for size in SIZES[rotation:] + SIZES[:rotation]:
                with open_with_sieve(DATA, size) as h5:
                    for _ in range(repeat):
                        dataset, selection = make()
                        t0 = time.perf_counter()
                        h5[dataset][selection]
                        times.setdefault((name, size), []).append(time.perf_counter() - t0)
    print("| selection | " + " | ".join(f"{s // 1024} KiB" if s else "none" for s in SIZES) + " |")
    print("|---|" + "---:|" * len(SIZES))
    for name in cases(rng):
        cells = [f"{statistics.median(times[(name, s)]) * 1e3:.2f}" for s in SIZES]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\np50 ms per read; the portal uses PORTAL_PREVIEW_SIEVE_BYTES (default 4 KiB).")


if __name__ == "__main__":
    main()
