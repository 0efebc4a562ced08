"""A dataset's files (or one folder's) as a ZIP archive, streamed as it is written.

zipstream-ng writes each entry while the response is sent, from the files themselves: no
temporary file, flat memory, and a Content-Length known beforehand (entries are stored, not
compressed, so the size is exact), so browsers show progress. Files registered but missing
from storage are listed in ``MISSING-FILES.txt`` inside the archive instead.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.conf import settings
from zipstream import ZIP_STORED, ZipStream

from catalogue.folders import files_under
from catalogue.models import Dataset
from catalogue.storage import StoragePathError, dataset_file_path

CHUNK = 2000


def zip_allowed(*, dataset: Dataset, size: int | None = None) -> bool:
    limit = settings.ZIP_MAX_BYTES
    total = dataset.total_size if size is None else size
    return bool(limit) and (dataset.file_count or 0) > 0 and total <= limit


def _paths(dataset: Dataset, prefix: str) -> Iterator[tuple[str, int]]:
    after = None
    files = files_under(dataset=dataset, prefix=prefix).values_list("path", "size")
    while True:
        rows = list((files.filter(path__gt=after) if after else files)[:CHUNK])
        yield from rows
        if len(rows) < CHUNK:
            return
        after = rows[-1][0]


def dataset_zip(*, dataset: Dataset, prefix: str = "") -> ZipStream:
    """The archive, entries named by their path in the dataset (below ``<stem>/``)."""
    stem = (dataset.doi or str(dataset.pid)).replace("/", "_")
    archive = ZipStream(compress_type=ZIP_STORED, sized=True)
    missing = []
    for path, _size in _paths(dataset, prefix):
        try:
            real = dataset_file_path(dataset.storage_folder, path)
        except StoragePathError:
            missing.append(path)
            continue
        if not real.is_file():
            missing.append(path)
            continue
        archive.add_path(str(real), arcname=f"{stem}/{path}")
    if missing:
        text = (
            "These files are registered in the dataset but were not in the portal's storage "
            "when this archive was made:\n" + "".join(f"{p}\n" for p in missing)
        )
        archive.add(text.encode(), arcname=f"{stem}/MISSING-FILES.txt")
    return archive


def zip_filename(*, dataset: Dataset, prefix: str = "") -> str:
    stem = (dataset.doi or str(dataset.pid)).replace("/", "_")
    if prefix:
        stem += "_" + prefix.strip("/").replace("/", "_")
    return f"{stem}.zip"
