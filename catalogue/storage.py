"""Where dataset files live on disk, and the one check that keeps paths inside their folder.

Every code path that opens a dataset file (downloads, HDF5 preview, manifests) resolves it with
:func:`dataset_file_path`, which refuses '..', absolute paths, backslashes, NUL and control
characters, and symlinks that lead out of the dataset's folder.
"""

import functools
import os
import re
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.utils.translation import gettext as _


class StoragePathError(ValueError):
    """A path that may not be used (it would leave the dataset folder, or is malformed)."""


_CONTROL = re.compile(r"[\x00-\x1f]")
_BAD_PARTS = frozenset({"", ".", ".."})


def relative_path_problem(path: str) -> str | None:
    """What is wrong with a relative POSIX path, or None: the check of
    :func:`check_relative_path` without building a path object, for lists of 10,000."""
    if not path or not path.strip():
        return _("The path is empty.")
    if _CONTROL.search(path):
        return _("The path contains control characters.")
    if "\\" in path:
        return _("The path contains a backslash; use '/' between folders.")
    if path[0] == "/":
        return _("The path must be relative, not absolute.")
    if not _BAD_PARTS.isdisjoint(path.split("/")):
        return _("The path may not contain empty, '.' or '..' parts.")
    return None


def check_relative_path(path: str) -> PurePosixPath:
    """A clean relative POSIX path, or StoragePathError naming what is wrong with it."""
    problem = relative_path_problem(path)
    if problem is not None:
        raise StoragePathError(problem)
    return PurePosixPath(path)


def storage_root() -> Path:
    return Path(settings.STORAGE_ROOT)


@functools.lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    # The storage root is configuration: resolved once per process (per configured value),
    # not on every file request. Dataset folders and files below it are resolved every time.
    return os.path.realpath(root)


def real_storage_root() -> Path:
    """The real path of the storage root (symlinks resolved), computed once per process."""
    return Path(_real_root(str(settings.STORAGE_ROOT)))


def dataset_folder(folder: str) -> Path:
    """The absolute folder of a dataset (its ``storage_folder`` below the storage root)."""
    return storage_root().joinpath(*check_relative_path(folder).parts)


def _checked(path: str) -> str:
    problem = relative_path_problem(path)
    if problem is not None:
        raise StoragePathError(problem)
    return path


def dataset_file_path(folder: str, relative: str) -> Path:
    """The real path of a file of a dataset, guaranteed to lie inside the dataset folder.

    Raises StoragePathError for malformed paths, for symlinks (of the file or of any folder on
    the way) whose target is outside the dataset folder, and for a dataset folder whose real
    location is not below the real storage root (a symlinked dataset folder pointing elsewhere).
    """
    # Checked relative POSIX paths (no '', '.', '..', leading '/', backslash or control
    # character), so joining the strings is joining their parts; strings, not Path objects,
    # because the HDF5 preview calls this for each of H5Web's many small requests.
    folder, relative = _checked(folder), _checked(relative)
    root = str(settings.STORAGE_ROOT)
    real_root = _real_root(root)
    real = os.path.realpath(os.path.join(root, folder, relative))
    # The usual case costs one resolution: a real path has no symlink in it, so when the
    # file's real path lies below <real root>/<folder>, that folder is itself a real folder
    # (no symlink on the way) and the file is inside it.
    if real.startswith(os.path.join(real_root, folder, "")):
        return Path(real)
    # A symlinked dataset folder, or a file leading out of it: the full check.
    real_base = os.path.realpath(os.path.join(root, folder))
    if not real_base.startswith(os.path.join(real_root, "")):
        raise StoragePathError(_("The dataset's folder is not inside the storage root."))
    if real != real_base and not real.startswith(os.path.join(real_base, "")):
        raise StoragePathError(_("The path leads out of the dataset's folder."))
    return Path(real)
