"""Reading a preview's answer while the catalogue query is under way, released only after it.

Every preview request asks the database for the dataset (one round trip) and the access gate
for a decision before any byte of a file may be sent. On a small VM the round trip is mostly
waiting (PostgreSQL's process is woken after every idle gap), which made a 1 MiB window
~1 ms slower than h5grove's own server that reads the file straight away. So, when this
worker has already served the dataset, a helper thread starts on the file from the storage
folder it was in then, while the request's thread runs the query and the gate as always:

- the answer is **used only if** the gate allows this user the dataset's files now, the file
  is registered to it now, and its storage folder is the one the helper read from; otherwise
  it is dropped and the request is served as if nothing had been read ahead.
- the helper never touches the database: a link to another file of the dataset (whose
  registration it would have to check) stops it, and the request reads normally.
- what is kept between requests is the storage folder of a dataset (a path), never an access
  decision or a file's contents.

``PORTAL_PREVIEW_READ_AHEAD`` (default on) switches it off.
"""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings

from catalogue.models import Dataset
from catalogue.preview.files import DatasetFiles

_FOLDERS_MAX = 4096
_folders: dict[uuid.UUID, str] = {}  # pid -> storage folder last served by this process
_pool: ThreadPoolExecutor | None = None
_pool_pid = 0
_lock = threading.Lock()


class NeedsDatabase(Exception):
    """Reading ahead would need the database (a registration to check): read normally."""


class _AheadFiles(DatasetFiles):
    """The files of a dataset as far as reading ahead may go: the requested file, assumed
    registered (the request checks that it is before using anything read), and nothing
    else."""

    def is_registered(self, relative: str) -> bool:
        if relative in self._registered:
            return self._registered[relative]
        raise NeedsDatabase(relative)


def remember_folder(pid: uuid.UUID, storage_folder: str) -> None:
    if _folders.get(pid) == storage_folder:
        return
    if len(_folders) >= _FOLDERS_MAX:
        _folders.clear()  # rare: a bounded map is enough for a hint
    _folders[pid] = storage_folder


def _executor() -> ThreadPoolExecutor:
    global _pool, _pool_pid
    import os

    with _lock:
        if _pool is None or _pool_pid != os.getpid():  # a pool is not inherited across fork
            threads = max(1, settings.PREVIEW_READ_AHEAD_THREADS)
            _pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="preview-ahead")
            _pool_pid = os.getpid()
        return _pool


def _run(folder: str, file: str, operation, params: dict):
    """The operation on the file below ``folder``: its Response or PreviewError, or
    NeedsDatabase. Files it opened are released when it ends (api._resolver)."""
    from catalogue.preview.api import PreviewError

    files = _AheadFiles(Dataset(storage_folder=folder))
    files.remember_registration(file, registered=True)
    try:
        return operation(files=files, file=file, **params)
    except (PreviewError, NeedsDatabase) as exc:
        return exc
    finally:
        files.close()


def start(pid: uuid.UUID, file: str, operation, params: dict) -> tuple[str, Future] | None:
    """Begin the operation ahead of the query when this worker knows the dataset's folder."""
    if not settings.PREVIEW_READ_AHEAD:
        return None
    folder = _folders.get(pid)
    if folder is None:
        return None
    return folder, _executor().submit(_run, folder, file, operation, params)
