"""Which files a preview may open, and how it opens them.

A preview reads only files of *one* dataset, the one in the URL, which the access gate has
already allowed this user to read (``dataset_access(...).files``). A file qualifies when it is
a registered DataFile of that dataset, when :func:`catalogue.storage.dataset_file_path` puts
its real path inside the dataset folder, and when it starts with the HDF5 signature. The same
rules apply to every file an HDF5 file points to (external links, virtual dataset sources,
external raw-data storage), so following a link can never reach another dataset, an embargoed
file, or anything outside the storage root.
"""

import os
import posixpath
import stat
from dataclasses import dataclass, field
from pathlib import Path

import h5py
import hdf5plugin  # noqa: F401  (registers the Bitshuffle, LZ4, Blosc, Zstd... HDF5 filters)
from django.conf import settings

from catalogue.models import DataFile, Dataset
from catalogue.preview.handles import OPEN_FILES, Handle
from catalogue.storage import (
    StoragePathError,
    check_relative_path,
    dataset_file_path,
    dataset_folder,
)

# HDF5 File Format Specification v3, §III.A "Format Signature and Superblock": the superblock
# (and its signature) is at byte 0, or after a user block at 512, 1024, 2048, ... bytes.
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
_FIRST_USER_BLOCK = 512

# Environment variables with which the HDF5 library would look for link targets, virtual
# dataset sources and external raw-data files in other folders than the ones we check.
_HDF5_PREFIX_VARIABLES = ("HDF5_EXT_PREFIX", "HDF5_VDS_PREFIX", "HDF5_EXTFILE_PREFIX")


def is_hdf5_file(path: Path) -> bool:
    """True when the file carries the HDF5 signature where the format allows it."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            offset = 0
            while offset + len(HDF5_SIGNATURE) <= size:
                handle.seek(offset)
                if handle.read(len(HDF5_SIGNATURE)) == HDF5_SIGNATURE:
                    return True
                offset = _FIRST_USER_BLOCK if offset == 0 else offset * 2
    except OSError:
        return False
    return False


def open_hdf5(path: Path) -> h5py.File:
    """``path`` opened read-only, without HDF5 file locking, with the preview's sieve buffer.

    As ``h5py.File(path, "r", locking=False)`` (HDF5's POSIX file locks fail or hang on many
    NFS mounts, and a read-only viewer needs none), with the sieve buffer size of
    ``PREVIEW_SIEVE_BYTES`` (see its setting). While the file stays open, HDF5 shares it with
    every other open of the same inode in this process, with this access list.
    """
    fapl = h5py.h5p.create(h5py.h5p.FILE_ACCESS)
    fapl.set_file_locking(False, ignore_when_disabled=False)
    fapl.set_sieve_buf_size(int(settings.PREVIEW_SIEVE_BYTES))
    return h5py.File(h5py.h5f.open(os.fsencode(path), h5py.h5f.ACC_RDONLY, fapl=fapl))


def hdf5_prefix_variables_set() -> bool:
    """True when the environment redirects HDF5's own lookup of linked files."""
    return any(os.environ.get(name) for name in _HDF5_PREFIX_VARIABLES)


class FileRefused(Exception):
    """The file may not be opened (not registered, outside the folder, missing, not HDF5).

    The message is deliberately the same for every reason, so a response built from it tells
    nothing about what exists.
    """


class NotHDF5(Exception):
    """A registered, readable file of the dataset that is not an HDF5 file."""


@dataclass(frozen=True)
class OpenFile:
    """An HDF5 file of the dataset, opened read-only."""

    relative: str  # registered path, relative to the dataset folder
    real: Path  # its real path, inside the dataset folder
    handle: Handle  # leased from OPEN_FILES, released by DatasetFiles.close()

    @property
    def h5(self) -> h5py.File:
        return self.handle.h5

    @property
    def real_dir(self) -> str:
        return str(self.real.parent)


@dataclass
class DatasetFiles:
    """The files of one dataset that a preview may open, and the ones it has opened."""

    dataset: Dataset
    _opened: dict[Path, OpenFile] = field(default_factory=dict)
    _registered: dict[str, bool] = field(default_factory=dict)

    # -------------------------------------------------------------- policy
    def remember_registration(self, relative: str, *, registered: bool) -> None:
        """Seed the registration answer already read with the dataset (one query less)."""
        self._registered[relative] = registered

    def is_registered(self, relative: str) -> bool:
        try:
            check_relative_path(relative)  # also keeps NUL bytes away from the database
        except StoragePathError:
            return False
        if relative not in self._registered:
            self._registered[relative] = DataFile.objects.filter(
                dataset=self.dataset, path=relative
            ).exists()
        return self._registered[relative]

    def real_path(self, relative: str) -> Path:
        """The real path of a registered file of this dataset, or FileRefused."""
        return self._real_path_and_stat(relative)[0]

    def _real_path_and_stat(self, relative: str) -> tuple[Path, os.stat_result]:
        if not self.is_registered(relative):
            raise FileRefused(relative)
        try:
            real = dataset_file_path(self.dataset.storage_folder, relative)
            status = os.stat(real)
        except (StoragePathError, OSError) as exc:
            raise FileRefused(relative) from exc
        if not stat.S_ISREG(status.st_mode):
            raise FileRefused(relative)
        return real, status

    def referenced_file(
        self, *, base: OpenFile, name: str, folder: str | None = None
    ) -> str | None:
        """The dataset-relative path of a file that ``base`` names (link, VDS, EFL), or None.

        A relative name is taken in ``folder``, by default next to the file that holds the
        link (its real folder: that is the file HDF5 opened), as HDF5 does for external links
        and virtual dataset sources; an absolute name is taken as it is. Either way the result
        must be a registered file inside this dataset's folder.
        """
        if not name or "\x00" in name or "\\" in name:
            return None
        try:
            real_folder = Path(os.path.realpath(dataset_folder(self.dataset.storage_folder)))
        except StoragePathError:
            return None
        if name.startswith("/"):
            candidate = Path(os.path.realpath(name))
        else:
            candidate = Path(os.path.realpath(os.path.join(folder or base.real_dir, name)))
        try:
            relative = candidate.relative_to(real_folder).as_posix()
        except ValueError:
            return None
        relative = posixpath.normpath(relative)
        if relative in (".", "") or relative.startswith("../"):
            return None
        if not self.is_registered(relative):
            return None
        try:
            self.real_path(relative)
        except FileRefused:
            return None
        return relative

    # -------------------------------------------------------------- opening
    def open(self, relative: str) -> OpenFile:
        """Open a registered HDF5 file of this dataset (read-only, no file locking).

        Raises FileRefused when the file may not be read, NotHDF5 when it is a readable file
        of the dataset but not HDF5.
        """
        real, status = self._real_path_and_stat(relative)
        if real in self._opened:
            return self._opened[real]

        def open_file() -> h5py.File:
            if not is_hdf5_file(real):
                raise NotHDF5(relative)
            try:
                return open_hdf5(real)
            except OSError as exc:
                raise NotHDF5(relative) from exc

        # The same file (device, inode, size, mtime, ctime) may still be open from an earlier
        # request of this worker: catalogue/preview/handles.py.
        opened = OpenFile(
            relative=relative, real=real, handle=OPEN_FILES.acquire(real, status, open_file)
        )
        self._opened[real] = opened
        return opened

    def close(self) -> None:
        for opened in self._opened.values():
            OPEN_FILES.release(opened.handle)
        self._opened.clear()
