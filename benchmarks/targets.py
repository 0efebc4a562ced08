"""What the load and fixed-cost benchmarks ask for: public datasets of a running portal, and a
numeric dataset inside one of its HDF5 files (found over HTTP, as any client would)."""

import json
import urllib.request


def public_catalogue(host: str) -> dict:
    """Identifiers to ask for: public datasets (pid, DOI) and one previewable NeXus file."""

    pids, dois = [], []
    url = f"{host}/api/v1/search?page_size=100&sort=newest"
    for page in range(1, 6):
        with urllib.request.urlopen(f"{url}&page={page}", timeout=30) as r:  # noqa: S310
            for hit in json.load(r)["results"]:
                pids.append(hit["pid"])
                if hit["doi"]:
                    dois.append(hit["doi"])
    return {"pids": pids, "dois": dois}


def preview_target(host: str, pids: list[str]):
    """A numeric dataset in an HDF5 file of some public dataset (the demo's NeXus files)."""

    for pid in pids:
        try:
            with urllib.request.urlopen(f"{host}/api/v1/datasets/{pid}/files", timeout=10) as r:  # noqa: S310
                files = json.load(r)
        except OSError:
            continue
        rows = files.get("results", files) if isinstance(files, dict) else files
        for row in rows:
            name = row.get("path", "")
            if name.endswith((".nxs", ".h5", ".hdf5")):
                try:
                    url = f"{host}/datasets/{pid}/h5grove/paths?file={name}"
                    with urllib.request.urlopen(url, timeout=10) as r:  # noqa: S310
                        paths = json.load(r)
                except OSError:
                    continue
                for path in paths:
                    meta_url = f"{host}/datasets/{pid}/h5grove/meta?file={name}&path={path}"
                    with urllib.request.urlopen(meta_url, timeout=10) as r:  # noqa: S310
                        meta = json.load(r)
                    if meta.get("kind") == "dataset" and meta.get("type", {}).get("class") in (
                        0,
                        1,
                    ):
                        return pid, name, path
    return None


FIND_HDF5 = """
from catalogue.models import DataFile, Status
rows = DataFile.objects.filter(dataset__status=Status.PUBLISHED, path__regex=r"[.](nxs|h5|hdf5)$")
for pid, path in rows.values_list("dataset__pid", "path")[:50]:
    print(pid, path)
"""


def hdf5_pids(env: dict) -> list[str]:
    """Published datasets with an HDF5/NeXus file, from the stack's database (a catalogue of
    synthetic records hides the demo's few in the first pages of any search)."""
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", FIND_HDF5], cwd=root,
                         env=env, capture_output=True, text=True, check=True).stdout  # fmt: skip
    return list(dict.fromkeys(line.split()[0] for line in out.splitlines() if line.strip()))
