"""Scientific metadata recipes, in the shapes SciCat ingestors send (value/unit, v/u, nested).

Each recipe draws from a seeded random generator and varies its units on purpose: the same
quantity is written in K or degC, eV or keV, mm or m, bar or kPa or GPa.
"""

import random


def _q(value, unit):
    return {"value": value, "unit": unit}


def _temperature(rng: random.Random, kelvin: float):
    if rng.random() < 0.5:
        return _q(round(kelvin, 2), "K")
    return _q(round(kelvin - 273.15, 2), "degC")


def _energy_kev(rng: random.Random, kev: float):
    if rng.random() < 0.5:
        return _q(round(kev, 4), "keV")
    return _q(round(kev * 1000, 1), "eV")


def _distance_mm(rng: random.Random, mm: float):
    if rng.random() < 0.5:
        return _q(round(mm, 1), "mm")
    return _q(round(mm / 1000, 4), "m")


def _pressure_bar(rng: random.Random, bar: float):
    choice = rng.random()
    if choice < 0.34:
        return _q(round(bar, 1), "bar")
    if choice < 0.67:
        return _q(round(bar * 100, 1), "kPa")
    return _q(round(bar / 10_000, 4), "GPa")


def mx(rng):
    kev = rng.choice([12.0, 12.7, 13.5, 9.0])
    return {
        "beamline": {"energy": _energy_kev(rng, kev),
                     "wavelength": _q(round(12.398 / kev, 4), "angstrom"),
                     "flux": _q(rng.choice([1e12, 5e12, 2e13]), "1/s")},
        "detector": {"distance": _distance_mm(rng, rng.choice([150, 200, 250, 300])),
                     "model": "EIGER2 X 16M"},
        "sample": {"temperature": _temperature(rng, rng.choice([100, 100, 293]))},
        "exposure_time": {"v": rng.choice([5, 10, 20]), "u": "ms"},
        "oscillation_range": _q(0.1, "deg"),
        "resolution": _q(round(rng.uniform(1.1, 2.6), 2), "angstrom"),
        "space_group": rng.choice(["P 43 21 2", "P 61 2 2", "C 2", "P 21 21 21"]),
        "number_of_images": rng.choice([1800, 3600, 7200]),
    }  # fmt: skip


def xpcs(rng):
    return {
        "energy": _energy_kev(rng, rng.choice([8.1, 13.0])),
        "sample": {"temperature": _temperature(rng, rng.uniform(250, 400))},
        "detector": {"distance": _distance_mm(rng, rng.choice([5000, 21000])),
                     "model": "EIGER X 4M", "frame_rate": _q(750, "Hz")},
        "delay_time_min": {"v": 1.3e-3, "u": "s"},
        "q_range": {"min": _q(0.002, "1/angstrom"), "max": _q(0.05, "1/angstrom")},
        "number_of_frames": rng.choice([10000, 20000, 50000]),
    }  # fmt: skip


def pdf(rng):
    return {
        "energy": _energy_kev(rng, 68.0),
        "sample": {"temperature": _temperature(rng, rng.uniform(100, 900)),
                   "pressure": _pressure_bar(rng, rng.choice([1.0, 5000.0, 120000.0]))},
        "detector": {"distance": _distance_mm(rng, rng.choice([250, 1200])),
                     "model": "Varex XRD 4343CT"},
        "q_max": _q(round(rng.uniform(22, 30), 1), "1/angstrom"),
        "exposure_time": _q(rng.choice([0.5, 1.0, 2.0]), "s"),
    }  # fmt: skip


def saxs(rng):
    return {
        "energy": _energy_kev(rng, 12.23),
        "wavelength": _q(1.0137, "angstrom"),
        "sample": {"temperature": _temperature(rng, rng.uniform(278, 358)),
                   "concentration": _q(round(rng.uniform(0.5, 20), 1), "mg/mL"),
                   "pH": round(rng.uniform(4, 9), 1)},
        "detector": {"distance": _distance_mm(rng, rng.choice([1000, 3000, 10000, 31000])),
                     "model": "EIGER2 4M"},
        "exposure_time": {"v": rng.choice([10, 50, 100]), "u": "ms"},
        "beam_size": {"horizontal": _q(50, "um"), "vertical": _q(20, "um")},
    }  # fmt: skip


def tomo(rng):
    return {
        "energy": _energy_kev(rng, rng.choice([43.35, 65.35, 88.0])),
        "sample": {"temperature": _temperature(rng, rng.choice([293, 873, 1073])),
                   "load": _q(rng.choice([0, 150, 400]), "N")},
        "scan": {"number_of_projections": rng.choice([1800, 3600, 5000]),
                 "angular_range": _q(360, "deg"),
                 "exposure_time": _q(rng.choice([0.05, 0.1]), "s")},
        "pixel_size": _q(rng.choice([0.65, 1.3, 2.6]), "um"),
        "detector": {"distance": _distance_mm(rng, rng.choice([100, 400])),
                     "model": "PCO edge 5.5"},
    }  # fmt: skip


def xas(rng):
    edge = rng.choice([("Fe", 7.112), ("Cu", 8.979), ("Pt", 11.564), ("Co", 7.709)])
    return {
        "edge": {"element": edge[0], "type": "K" if edge[0] != "Pt" else "L3",
                 "energy": _energy_kev(rng, edge[1])},
        "sample": {"temperature": _temperature(rng, rng.uniform(293, 773)),
                   "pressure": _pressure_bar(rng, rng.choice([1.0, 10.0, 30.0]))},
        "monochromator": "Si(111)",
        "detection_mode": rng.choice(["transmission", "fluorescence"]),
        "number_of_scans": rng.choice([3, 5, 10]),
    }  # fmt: skip


def sans(rng):
    return {
        "wavelength": _q(rng.choice([6.0, 8.0, 11.5]), "angstrom"),
        "collimation_length": _distance_mm(rng, rng.choice([2800, 8000, 17600])),
        "detector": {"distance": _distance_mm(rng, rng.choice([1400, 5600, 17600]))},
        "sample": {"temperature": _temperature(rng, rng.uniform(280, 330)),
                   "D2O_fraction": _q(rng.choice([0, 42, 100]), "percent")},
        "magnetic_field": _q(rng.choice([0.0, 0.5, 1.0]), "T"),
    }  # fmt: skip


def tof(rng):
    ei = rng.choice([3.27, 5.1, 12.0])
    return {
        "incident_energy": {"v": ei, "u": "meV"} if rng.random() < 0.5 else
                           {"v": round(ei / 1000, 5), "u": "eV"},
        "incident_wavelength": _q(round(9.045 / ei**0.5, 3), "angstrom"),
        "sample": {"temperature": _temperature(rng, rng.choice([1.5, 50, 300])),
                   "mass": _q(round(rng.uniform(0.5, 8), 2), "g")},
        "chopper_speed": _q(rng.choice([8500, 12000, 16000]), "rpm"),
        "counting_time": _q(rng.choice([1, 2, 6]), "h"),
    }  # fmt: skip


def tofsans(rng):
    return {
        "wavelength_band": {"min": _q(1.75, "angstrom"), "max": _q(16.5, "angstrom")},
        "sample": {"temperature": _temperature(rng, rng.uniform(290, 330)),
                   "gas_pressure": _pressure_bar(rng, rng.choice([1.0, 50.0, 200.0]))},
        "detector": {"distance": _distance_mm(rng, rng.choice([4000, 12000]))},
        "proton_charge": _q(rng.choice([20, 40, 80]), "uA*h"),
    }  # fmt: skip


def npd(rng):
    return {
        "sample": {"temperature": _temperature(rng, rng.choice([10, 100, 300])),
                   "pressure": _pressure_bar(rng, rng.choice([1.0, 20000.0, 50000.0])),
                   "container": "vanadium can, 6 mm"},
        "proton_charge": _q(rng.choice([200, 400, 800]), "uA*h"),
        "d_spacing_range": {"min": _q(0.2, "angstrom"), "max": _q(4.0, "angstrom")},
    }  # fmt: skip


def refl(rng):
    return {
        "angles": [0.3, 0.8, 2.3],
        "sample": {"temperature": _temperature(rng, rng.uniform(283, 333)),
                   "subphase": rng.choice(["D2O", "H2O", "SMW"])},
        "q_range": {"min": _q(0.008, "1/angstrom"), "max": _q(0.3, "1/angstrom")},
        "polarised": rng.random() < 0.3,
    }  # fmt: skip


RECIPES = {f.__name__: f for f in (mx, xpcs, pdf, saxs, tomo, xas, sans, tof, tofsans, npd,
                                   refl)}  # fmt: skip


# ---------------------------------------------------------------- declared raw data
# What a beamline writes, at the sizes its detectors write it: the files are declared (path
# and size, as an ingestor registers data kept on the facility's disks or tape) but not put on
# this disk, so the demo shows a facility's volumes without writing terabytes. Sizes follow
# each dataset's own acquisition metadata (images, frames, projections, scans, runs).
MB = 1_000_000


def _value(entry, default):
    if isinstance(entry, dict):
        return entry.get("value", entry.get("v", default))
    return default if entry is None else entry


def _runs(index: int, first: int, count: int, name: str, size: int, step: int = 1):
    start = first + index * 37
    return [(name.format(run=start + k * step), size + (k * 7919 + index * 104729) % MB)
             for k in range(count)]  # fmt: skip


def declared_files(recipe: str, scimeta: dict, index: int) -> list[tuple[str, int]]:
    """(path, bytes) of the raw data a dataset of this recipe holds, under ``raw/``."""
    jitter = (index * 104729) % MB
    if recipe == "mx":  # EIGER2 X 16M: a NeXus master and data files of 1,000 images
        images = int(scimeta.get("number_of_images", 3600))
        files = [("raw/series_1_master.h5", 4 * MB + jitter)]
        for k in range(-(-images // 1000)):
            frames = min(1000, images - k * 1000)
            files.append((f"raw/series_1_data_{k + 1:06d}.h5", frames * 3_870_000 + jitter))
        return files
    if recipe == "xpcs":  # EIGER X 4M speckle series, 10,000 frames a file
        frames = int(scimeta.get("number_of_frames", 20000))
        return [(f"raw/speckle_{k + 1:05d}.h5", 10_000 * 410_000 + jitter)
                for k in range(-(-frames // 10_000))]  # fmt: skip
    if recipe == "pdf":  # Varex 4343CT: 2880 x 2880 x 16 bit, one image per temperature step
        return [(f"raw/frames/image_{k + 1:05d}.tif", 16_588_800 + 4096) for k in range(60)]
    if recipe == "saxs":  # EIGER2 4M, one file per scan of 1,000 frames
        return [(f"raw/scan_{k + 1:04d}_data_000001.h5", 1_200 * MB + jitter) for k in range(8)]
    if recipe == "tomo":  # PCO edge 5.5: 2560 x 2160 x 16 bit per projection
        projections = int(_value(scimeta.get("scan", {}).get("number_of_projections"), 3600))
        return [
            ("raw/scan_0001/projections.h5", projections * 11_059_200 + jitter),
            ("raw/scan_0001/flats.h5", 40 * 11_059_200),
            ("raw/scan_0001/darks.h5", 20 * 11_059_200),
            ("raw/scan_0001/3dxrd_frames.h5", 1_440 * 8_388_608 + jitter),
        ]
    if recipe == "xas":  # ASCII scans: spectroscopy is small
        scans = int(scimeta.get("number_of_scans", 5))
        return [(f"raw/scan_{k + 1:03d}.dat", 180_000 + k * 311) for k in range(scans)]
    if recipe == "sans":  # D22: one NeXus file per run
        return _runs(index, 120_000, 12, "raw/{run:06d}.nxs", 8 * MB)
    if recipe == "tof":  # IN5 event mode
        return _runs(index, 240_000, 10, "raw/{run:06d}.nxs", 420 * MB)
    if recipe == "tofsans":  # SANS2D event mode
        return _runs(index, 80_000, 6, "raw/SANS2D{run:08d}.nxs", 1_500 * MB)
    if recipe == "npd":  # POLARIS
        return _runs(index, 110_000, 6, "raw/POLARIS{run:08d}.nxs", 700 * MB)
    if recipe == "refl":  # OFFSPEC: three angles per contrast
        return _runs(index, 60_000, 9, "raw/OFFSPEC{run:08d}.nxs", 60 * MB)
    return []
