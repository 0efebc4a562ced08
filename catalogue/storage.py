"""Where dataset files live on disk, and the one check that keeps paths inside their folder.

Every code path that opens a dataset file (downloads, HDF5 preview, manifests) resolves it with
:func:`dataset_file_path`, which refuses '..', absolute paths, backslashes, NUL and control
characters, and symlinks that lead out of the dataset's folder.
"""

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


def dataset_folder(folder: str) -> Path:
    """The absolute folder of a dataset (its ``storage_folder`` below the storage root)."""
    return storage_root().joinpath(*check_relative_path(folder).parts)


def dataset_file_path(folder: str, relative: str) -> Path:
    """The real path of a file of a dataset, guaranteed to lie inside the dataset folder.

    Raises StoragePathError for malformed paths, for symlinks (of the file or of any folder on
    the way) whose target is outside the dataset folder, and for a dataset folder whose real
    location is not below the real storage root (a symlinked dataset folder pointing elsewhere).
    """
    base = dataset_folder(folder)
    candidate = base.joinpath(*check_relative_path(relative).parts)
    real_root = Path(os.path.realpath(storage_root()))
    real_base = Path(os.path.realpath(base))
    if real_root not in real_base.parents:
        raise StoragePathError(_("The dataset's folder is not inside the storage root."))
    real = Path(os.path.realpath(candidate))
    if real != real_base and real_base not in real.parents:
        raise StoragePathError(_("The path leads out of the dataset's folder."))
    return real
