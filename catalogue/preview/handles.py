"""Open HDF5 files kept between preview requests, one small set per worker process.

H5Web asks dozens of small questions per view about one file; opening an HDF5 file (its
superblock, root group and metadata cache) and closing it again cost more than answering a
small slice. This keeps recently used files open. It caches *files*, never decisions: every
request still asks the access gate, checks the file's registration and real path
(:class:`catalogue.preview.files.DatasetFiles`) and ``stat``\\ s it; only then is a handle
taken from here, and only when the file is the very same one that was opened:

- the key is the file's device, inode, size, mtime and ctime. A file replaced by another
  (rename over it, as rsync and most writers do) has another inode; one written in place
  changes its ctime, which nothing but the kernel can set. While a handle is open, the inode
  cannot be reused for another file.
- a file whose mtime or ctime is less than ``RACY_SECONDS`` old is never kept (git's "racily
  clean" rule): two writes within one timestamp tick of the file system would leave the same
  key, so a file being written is opened and closed per request, as without this cache.
- a handle of a changed file is dropped at once and closed when the last request using it
  ends; while one still uses it the new file is opened for this request only (HDF5 shares an
  already open file with the same inode, so it would otherwise keep the old file's metadata).

What a handle learns about its file's structure stays with it (``Handle.objects``): the HDF5
objects that paths made of hard links only lead to, opened once (catalogue/preview/links.py).
They are part of the file's content, which the key pins, and are closed with the file. An open
dataset keeps its chunk index and HDF5's chunk cache (1 MiB at most) in memory, so a handle
keeps at most ``MAX_OBJECTS_PER_FILE`` of them, the least recently used closed first: a worker
holds at most ``PREVIEW_OPEN_FILES`` x 16 MiB of chunk caches.

Handles are shared between the worker's threads: h5py serialises every call into HDF5 with
its own lock, and a lease count keeps a handle open while any request uses it. A handle
unused for ``PREVIEW_OPEN_FILES_IDLE_SECONDS`` is closed at the worker's next preview request;
at most ``PREVIEW_OPEN_FILES`` stay open, least recently used first out (0 switches the cache
off).
"""

import contextlib
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import h5py
from django.conf import settings

RACY_SECONDS = 2.0
# Objects (groups, datasets) remembered per open file (Handle.objects), least recently used
# forgotten first.
MAX_OBJECTS_PER_FILE = 16


def file_key(stat: os.stat_result) -> tuple[int, ...]:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@dataclass(eq=False)
class Handle:
    """An open HDF5 file and the requests using it."""

    key: tuple[int, ...]
    h5: h5py.File
    leases: int = 1
    last_used: float = field(default_factory=time.monotonic)
    kept: bool = False  # in the cache (else closed when its last lease ends)
    # Path parts -> h5py object reached from the root through hard links of this file only
    # (catalogue.preview.links.Resolver): what a path names cannot change while the key holds.
    objects: OrderedDict[tuple[str, ...], object] = field(default_factory=OrderedDict)
    _objects_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def object_at(self, parts: tuple[str, ...], find: Callable[[], object]) -> object:
        """What ``parts`` names in this file: remembered, else ``find()``'s answer, remembered.

        ``find`` runs outside the lock (it calls into HDF5); two threads may both run it for
        the same path, and either answer is the same object of the same file.
        """
        with self._objects_lock:
            obj = self.objects.get(parts)
            if obj is not None:
                self.objects.move_to_end(parts)
                return obj
        obj = find()
        with self._objects_lock:
            self.objects[parts] = obj
            self.objects.move_to_end(parts)
            while len(self.objects) > MAX_OBJECTS_PER_FILE:
                # Dropping the last reference closes the object (a request using it holds one).
                self.objects.popitem(last=False)
        return obj


class OpenFiles:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._kept: OrderedDict[Path, Handle] = OrderedDict()
        # Open but not (or no longer) kept: closed by their last release.
        self._loose: list[Handle] = []

    # -------------------------------------------------------------- leasing
    def acquire(
        self, real: Path, stat: os.stat_result, open_file: Callable[[], h5py.File]
    ) -> Handle:
        """A handle on ``real`` as ``stat`` describes it; ``open_file`` opens it if needed.

        Exceptions of ``open_file`` propagate. Every handle returned must be released.
        """
        key = file_key(stat)
        limit = int(settings.PREVIEW_OPEN_FILES)
        to_close: list[Handle] = []
        with self._lock:
            to_close += self._sweep(time.monotonic())
            handle = self._kept.get(real)
            if handle is not None and handle.key == key:
                handle.leases += 1
                handle.last_used = time.monotonic()
                self._kept.move_to_end(real)
                return handle
            # The file changed or was replaced: its old handle is never served again (nor one
            # of the same inode under another path, a hard link).
            for path in [p for p, h in self._kept.items() if p == real or h.key[:2] == key[:2]]:
                to_close += self._drop(path)
            # HDF5 shares an open file with the same device and inode: while an older state
            # of this inode is still open, open the file for this request only.
            shared = any(h.key[:2] == key[:2] for h in self._loose)
        self._close(to_close)
        h5 = open_file()
        handle = Handle(key=key, h5=h5)
        newest = time.time() - RACY_SECONDS
        keep = limit > 0 and not shared and max(stat.st_mtime, stat.st_ctime) < newest
        with self._lock:
            if keep and real not in self._kept:
                handle.kept = True
                self._kept[real] = handle
                while len(self._kept) > limit:
                    to_close += self._drop(next(iter(self._kept)))
            else:
                self._loose.append(handle)
        self._close(to_close)
        return handle

    def release(self, handle: Handle) -> None:
        with self._lock:
            handle.leases -= 1
            handle.last_used = time.monotonic()
            done = not handle.kept and handle.leases == 0
            if done:
                self._loose.remove(handle)
        if done:
            self._close([handle])

    # -------------------------------------------------------------- upkeep
    def _drop(self, real: Path) -> list[Handle]:
        """Take ``real`` out of the cache; its handle, if unused, to close. Under the lock."""
        handle = self._kept.pop(real)
        handle.kept = False
        if handle.leases:
            self._loose.append(handle)
            return []
        return [handle]

    def _sweep(self, now: float) -> list[Handle]:
        idle = float(settings.PREVIEW_OPEN_FILES_IDLE_SECONDS)
        stale = [
            real
            for real, handle in self._kept.items()
            if not handle.leases and now - handle.last_used > idle
        ]
        return [h for real in stale for h in self._drop(real)]

    @staticmethod
    def _close(handles: list[Handle]) -> None:
        for handle in handles:
            with contextlib.suppress(Exception):  # closing must not hide the response
                handle.h5.close()

    def clear(self) -> None:
        """Close every unused handle (leased ones close on release)."""
        with self._lock:
            to_close = [h for real in list(self._kept) for h in self._drop(real)]
        self._close(to_close)

    def kept(self) -> dict[Path, tuple[int, ...]]:
        """The files kept open now and their keys (for tests and diagnostics)."""
        with self._lock:
            return {real: handle.key for real, handle in self._kept.items()}

    def _forget_after_fork(self) -> None:
        # A forked child must not touch its parent's HDF5 handles: start empty.
        self._lock = threading.Lock()
        self._kept = OrderedDict()
        self._loose = []


OPEN_FILES = OpenFiles()
os.register_at_fork(after_in_child=OPEN_FILES._forget_after_fork)
