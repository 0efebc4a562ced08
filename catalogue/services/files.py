"""Registering, replacing and removing a dataset's files; keeping count and total size right.

Every function is all or nothing (one transaction), validates every entry (the one storage path
check, no path twice, hex checksums of the right length, known algorithms) and raises
``catalogue.services.errors.DatasetInputError`` keyed ``files[i].path`` etc. With an actor, the
files of published and withdrawn records are locked (a change needs a new version).
"""

import hashlib
import mimetypes
import os
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from catalogue import vocabularies as voc
from catalogue.access import DatasetForbidden, dataset_access, user_may_edit_dataset
from catalogue.models import DataFile, Dataset, Status
from catalogue.services.changes import datasets_changed
from catalogue.services.errors import DatasetInputError
from catalogue.storage import dataset_folder, relative_path_problem

HDF5_SUFFIXES = (".h5", ".hdf5", ".hdf", ".nxs", ".nx5", ".nx", ".nxs.h5", ".cxi")
HDF5_MEDIA_TYPE = "application/x-hdf5"
ANALYZE_AFTER = 10_000  # registering this many files refreshes the planner's statistics
MAX_FILES_PER_CALL = 10_000  # what one API request may register (issue 10)
MAX_ERRORS = 100  # a list with more bad entries stops here: the first hundred say enough
# Published and withdrawn records keep their files: a change needs a new version.
FILES_LOCKED = (Status.PUBLISHED, Status.WITHDRAWN)
FILE_KEYS = frozenset({"path", "size", "checksum", "checksum_algorithm", "media_type"})
CHECKSUM_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128, "blake2b": 128}
_HEX = re.compile(r"[0-9a-f]+")
PATH_MAX_LENGTH = DataFile._meta.get_field("path").max_length
# The columns a registration writes, in COPY order.
_COLUMNS = ("dataset_id", "path", "size", "checksum_algorithm", "checksum", "media_type")


@dataclass(frozen=True)
class FileRecord:
    path: str
    size: int
    checksum: str = ""
    checksum_algorithm: str = "sha256"
    media_type: str = ""


TEXT_SUFFIXES = (".log", ".md", ".out")


def guess_media_type(path: str) -> str:
    lowered = path.lower()
    if lowered.endswith(HDF5_SUFFIXES):
        return HDF5_MEDIA_TYPE
    if lowered.endswith(TEXT_SUFFIXES):
        return "text/plain"
    return mimetypes.guess_type(path)[0] or "application/octet-stream"


def file_sha256(path: os.PathLike | str, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def scan_folder(folder: str) -> Iterator[FileRecord]:
    """Every regular file below a dataset folder, with size, SHA-256 and media type."""
    base = dataset_folder(folder)
    for root, dirs, names in os.walk(base):
        dirs.sort()
        for name in sorted(names):
            full = os.path.join(root, name)
            if not os.path.isfile(full) or os.path.islink(full):
                continue
            rel = os.path.relpath(full, base).replace(os.sep, "/")
            yield FileRecord(
                path=rel,
                size=os.path.getsize(full),
                checksum=file_sha256(full),
                media_type=guess_media_type(rel),
            )


def _record(item: FileRecord | dict, path: str, err: dict[str, list[str]]) -> FileRecord | None:
    """A FileRecord from a record or from the JSON the files API takes, or None (errors noted)."""
    if isinstance(item, FileRecord):
        raw = {f: getattr(item, f) for f in FILE_KEYS}
    elif isinstance(item, dict):
        unknown = set(item) - FILE_KEYS - {"download_url"}
        for key in sorted(unknown):
            err.setdefault(f"{path}.{key}", []).append(_("Unknown field."))
        raw = item
    else:
        err.setdefault(path, []).append(_("Must be an object with path and size."))
        return None
    problems: dict[str, str] = {}
    file_path = raw.get("path")
    if not isinstance(file_path, str):
        problems["path"] = _("Must be a string.")
    else:
        problem = relative_path_problem(file_path)
        if problem is not None:
            problems["path"] = problem
        if len(file_path) > PATH_MAX_LENGTH:
            problems["path"] = _("Too long.")
    size = raw.get("size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        problems["size"] = _("Must be a whole number of bytes, 0 or more.")
    checksum = raw.get("checksum") or ""
    algorithm = raw.get("checksum_algorithm") or ""
    if not isinstance(checksum, str) or not isinstance(algorithm, str):
        problems["checksum"] = _("Must be a string.")
        checksum, algorithm = "", ""
    if ":" in checksum:  # "sha256:ab12…", the form GET answers with
        prefix, checksum = checksum.split(":", 1)
        if algorithm and algorithm.lower() != prefix.lower():
            problems["checksum"] = _(
                "Says %(prefix)s, but checksum_algorithm says %(algorithm)s."
            ) % {"prefix": prefix, "algorithm": algorithm}
        algorithm = prefix
    algorithm = (algorithm or "sha256").lower().replace("-", "")
    checksum = checksum.strip().lower()
    if algorithm not in voc.CHECKSUM_ALGORITHMS:
        problems["checksum_algorithm"] = _("Must be one of %(choices)s") % {
            "choices": ", ".join(voc.CHECKSUM_ALGORITHMS)
        }
    elif checksum and (
        len(checksum) != CHECKSUM_HEX_LENGTH[algorithm] or not _HEX.fullmatch(checksum)
    ):
        problems["checksum"] = _("A %(algorithm)s checksum is %(n)s hexadecimal digits.") % {
            "algorithm": algorithm,
            "n": CHECKSUM_HEX_LENGTH[algorithm],
        }
    media_type = raw.get("media_type") or ""
    if not isinstance(media_type, str) or len(media_type) > 100:
        problems["media_type"] = _("Must be a media type such as application/x-hdf5.")
    for key, message in problems.items():
        err.setdefault(f"{path}.{key}", []).append(message)
    if problems:
        return None
    return FileRecord(
        path=file_path,
        size=size,
        checksum=checksum,
        checksum_algorithm=algorithm,
        media_type=media_type or guess_media_type(file_path),
    )


def _check_may_change_files(dataset: Dataset, actor) -> None:
    if actor is not None and not user_may_edit_dataset(actor, dataset):
        raise DatasetForbidden(dataset, dataset_access(user=actor, dataset=dataset))
    if actor is not None and dataset.status in FILES_LOCKED:
        raise DatasetInputError(
            {
                "files": [
                    _(
                        "The files of a %(status)s record cannot change; publish a new version "
                        "of the dataset instead."
                    )
                    % {"status": Status(dataset.status).label.lower()}
                ]
            }
        )


def _locked(dataset: Dataset) -> Dataset:
    return Dataset.objects.select_for_update().get(pk=dataset.pk)


def _validated(
    files: Iterable[FileRecord | dict], *, max_files: int | None, errors: dict[str, list[str]]
) -> Iterator[FileRecord]:
    """The valid entries as FileRecords; problems go to ``errors``, keyed ``files[i].path`` …;
    stops after MAX_ERRORS bad entries."""
    seen: set[str] = set()
    for i, item in enumerate(files):
        if max_files is not None and i >= max_files:
            errors.setdefault("files", []).append(
                _("At most %(n)s files per request; send the rest in another.")
                % {"n": f"{max_files:,}"}
            )
            return
        record = _record(item, f"files[{i}]", errors)
        if record is None:
            if len(errors) >= MAX_ERRORS:
                return
            continue
        if record.path in seen:
            errors.setdefault(f"files[{i}].path", []).append(
                _("%(path)s is given twice.") % {"path": repr(record.path)}
            )
            continue
        seen.add(record.path)
        yield record


def file_rows(files: Iterable[FileRecord | dict], *, max_files: int | None) -> list[FileRecord]:
    """The files of a new record, validated as :func:`dataset_files_register` does; raises
    DatasetInputError keyed ``files[i].path``. Write them with :func:`files_insert_new`."""
    if files is not None and not isinstance(files, list | tuple):
        raise DatasetInputError({"files": [_("Send a list of files: [{path, size, checksum}].")]})
    errors: dict[str, list[str]] = {}
    rows = list(_validated(files or [], max_files=max_files, errors=errors))
    if errors:
        raise DatasetInputError(errors)
    return rows


def file_totals(rows: Iterable[FileRecord]) -> tuple[int, int, list[str]]:
    """(file_count, total_size, file_formats) of a list of files, as the record keeps them."""
    count, size, formats = 0, 0, set()
    for row in rows:
        count += 1
        size += row.size
        if row.media_type:
            formats.add(row.media_type)
    return count, size, sorted(formats)


def _tuples(dataset_id: int, records: Iterable[FileRecord]) -> Iterator[tuple]:
    for r in records:
        yield (dataset_id, r.path, r.size, r.checksum_algorithm, r.checksum, r.media_type)


def files_insert_new(rows: Iterable[tuple]) -> None:
    """INSERT files that cannot exist yet (a new record's), rows in ``_COLUMNS`` order.

    PostgreSQL: one COPY, no model instances (for 10,000 files that is most of the cost of a
    registration); the unique (dataset, path) index still guards. Other databases:
    bulk_create. Inside the caller's transaction."""
    if connection.vendor != "postgresql":
        DataFile.objects.bulk_create(
            [DataFile(**dict(zip(_COLUMNS, row, strict=True))) for row in rows], batch_size=5000
        )
        return
    columns = ", ".join(_COLUMNS)
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {DataFile._meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


# Up to this many files per batch go in as arrays in the INSERT itself; more through COPY into
# a temporary table. Creating (and, at commit, dropping) that table writes PostgreSQL's
# catalogue each time: for an ingestor's 20 files it cost more than the files.
UNNEST_MAX_FILES = 1000

_UPSERT = (
    "INSERT INTO catalogue_datafile (dataset_id, path, size, checksum_algorithm, checksum, "
    "media_type) SELECT %s, path, size, checksum_algorithm, checksum, media_type FROM {source} "
    "ON CONFLICT (dataset_id, path) DO UPDATE SET size = EXCLUDED.size, "
    "checksum = EXCLUDED.checksum, checksum_algorithm = EXCLUDED.checksum_algorithm, "
    "media_type = EXCLUDED.media_type"
)


def _upsert(dataset: Dataset, records: list[FileRecord]) -> None:
    """Add or update these files of an existing record by path (PostgreSQL: one INSERT …
    ON CONFLICT DO UPDATE, from arrays, or for large batches from a temporary table filled by
    COPY)."""
    if connection.vendor != "postgresql":
        DataFile.objects.bulk_create(
            [DataFile(**dict(zip(_COLUMNS, row, strict=True)))
             for row in _tuples(dataset.pk, records)],
            update_conflicts=True,
            unique_fields=["dataset", "path"],
            update_fields=["size", "checksum", "checksum_algorithm", "media_type"],
        )  # fmt: skip
        return
    with connection.cursor() as cursor:
        if len(records) <= UNNEST_MAX_FILES:
            source = (
                "unnest(%s::text[], %s::bigint[], %s::text[], %s::text[], %s::text[]) "
                "AS incoming (path, size, checksum_algorithm, checksum, media_type)"
            )
            columns = [
                [r.path for r in records],
                [r.size for r in records],
                [r.checksum_algorithm for r in records],
                [r.checksum for r in records],
                [r.media_type for r in records],
            ]
            cursor.execute(_UPSERT.format(source=source), [dataset.pk, *columns])
            return
        cursor.execute(
            "CREATE TEMPORARY TABLE IF NOT EXISTS incoming_datafile (path text, size bigint, "
            "checksum_algorithm text, checksum text, media_type text) ON COMMIT DROP"
        )
        cursor.execute("TRUNCATE incoming_datafile")
        with cursor.cursor.copy(
            "COPY incoming_datafile (path, size, checksum_algorithm, checksum, media_type) "
            "FROM STDIN"
        ) as copy:
            for r in records:
                copy.write_row((r.path, r.size, r.checksum_algorithm, r.checksum, r.media_type))
        cursor.execute(_UPSERT.format(source="incoming_datafile"), [dataset.pk])


def _register(
    *,
    dataset: Dataset,
    files: Iterable[FileRecord | dict],
    max_files: int | None,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> set[str]:
    """Upsert the files (inside the caller's transaction); returns the paths given."""
    batch: list[FileRecord] = []
    seen: set[str] = set()
    errors: dict[str, list[str]] = {}

    def flush() -> None:
        if not errors:
            _upsert(dataset, batch)
            if progress:
                progress(len(batch))
        batch.clear()

    for record in _validated(files, max_files=max_files, errors=errors):
        seen.add(record.path)
        batch.append(record)
        if len(batch) >= batch_size:
            flush()
    if errors:
        raise DatasetInputError(errors)  # the caller's atomic block undoes written batches
    if batch:
        flush()
    return seen


def _analyze_after(count: int) -> None:
    if count >= ANALYZE_AFTER and connection.vendor == "postgresql":
        # Fresh statistics, or PostgreSQL keeps planning the first file page as a full sort
        # of the dataset's files (seen: 18 ms instead of <1 ms after 100,000 new rows).
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {DataFile._meta.db_table}")


def dataset_files_register(
    *,
    dataset: Dataset,
    files: Iterable[FileRecord | dict],
    actor=None,
    max_files: int | None = None,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Add or update files by path (idempotent), in batches; returns how many were given.

    ``files`` are FileRecords or dicts ``{"path", "size", "checksum", "checksum_algorithm",
    "media_type"}`` (checksum hex, or "sha256:hex" as GET answers). All or nothing: any bad
    entry raises DatasetInputError keyed ``files[i].path`` … and nothing is written. With an
    ``actor`` (people and API clients): the actor must be allowed to edit (else
    DatasetForbidden), the record must not be published or withdrawn (FILES_LOCKED), and API
    views pass ``max_files=MAX_FILES_PER_CALL``. ``actor=None`` is the system (demo builder,
    imports, fixtures), which may register files of any record.
    """
    with transaction.atomic():
        locked = _locked(dataset)
        _check_may_change_files(locked, actor)
        seen = _register(
            dataset=locked,
            files=files,
            max_files=max_files,
            batch_size=batch_size,
            progress=progress,
        )
        dataset_refresh_file_totals(dataset=locked)
        datasets_changed([locked.pk])  # file count and size are in the record
    _copy_totals(locked, dataset)
    _analyze_after(len(seen))
    return len(seen)


def dataset_files_replace(
    *,
    dataset: Dataset,
    files: Iterable[FileRecord | dict],
    actor,
    max_files: int | None = MAX_FILES_PER_CALL,
) -> int:
    """Make the file list exactly ``files`` (as :func:`dataset_files_register` takes them).

    Files not given are removed (their records; storage is left alone). One transaction;
    returns how many files the list now holds.
    """
    with transaction.atomic():
        locked = _locked(dataset)
        _check_may_change_files(locked, actor)
        seen = _register(
            dataset=locked, files=files, max_files=max_files, batch_size=5000, progress=None
        )
        stale = [
            pk
            for pk, path in DataFile.objects.filter(dataset=locked).values_list("id", "path")
            if path not in seen
        ]
        for start in range(0, len(stale), 5000):
            DataFile.objects.filter(id__in=stale[start : start + 5000]).delete()
        dataset_refresh_file_totals(dataset=locked)
        datasets_changed([locked.pk])
    _copy_totals(locked, dataset)
    _analyze_after(len(seen))
    return len(seen)


def _copy_totals(source: Dataset, target: Dataset) -> None:
    for name in ("file_count", "total_size", "file_formats", "updated_at"):
        setattr(target, name, getattr(source, name))


def dataset_file_remove(*, dataset: Dataset, path: str, actor) -> None:
    """Remove one registered file (the record only; storage is left alone)."""
    with transaction.atomic():
        locked = _locked(dataset)
        _check_may_change_files(locked, actor)
        deleted, _count = DataFile.objects.filter(dataset=locked, path=path).delete()
        if not deleted:
            raise DatasetInputError(
                {"path": [_("The dataset has no file %(path)s.") % {"path": repr(path)}]}
            )
        dataset_refresh_file_totals(dataset=locked)
        datasets_changed([locked.pk])
    _copy_totals(locked, dataset)


def dataset_refresh_file_totals(*, dataset: Dataset) -> None:
    files = DataFile.objects.filter(dataset=dataset)
    totals = files.aggregate(n=Count("id"), size=Sum("size"))
    formats = sorted(set(files.exclude(media_type="").values_list("media_type", flat=True)))
    values = {
        "file_count": totals["n"] or 0,
        "total_size": totals["size"] or 0,
        "file_formats": formats,
    }
    stored = Dataset.objects.filter(pk=dataset.pk).values(*values).first()
    if stored != values:
        # The file list is part of the record (DataCite sizes/formats): it counts as a change.
        Dataset.objects.filter(pk=dataset.pk).update(**values, updated_at=timezone.now())
    for name, value in values.items():
        setattr(dataset, name, value)
