"""The five h5grove operations on one file of one dataset, under the preview policy.

Each function returns h5grove's own encoded response (``h5grove.encoders.Response``) or raises
:class:`PreviewError` with h5grove's error statuses: 404 for what is not there (or may not be
seen: the same message, so nothing reveals what exists), 422 for bad query arguments and
malformed selections, plus 413 when a request would read more than ``PREVIEW_MAX_BYTES`` and
415 for a file of the dataset that is not HDF5. These mirror the handlers of h5grove's
Flask/FastAPI/Tornado adapters (``h5grove.flask_utils``), with the file opened and every path
resolved by :mod:`catalogue.preview.files` and :mod:`catalogue.preview.links`.
"""

import math
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import h5py
import numpy as np
from django.conf import settings
from h5grove.content import DatasetContent, GroupContent, ResolvedEntityContent
from h5grove.encoders import Response, encode
from h5grove.models import LinkResolution
from h5grove.utils import (
    NotFoundError,
    QueryArgumentError,
    hdf_path_join,
    parse_link_resolution_arg,
    parse_slice,
)

from catalogue.preview.files import DatasetFiles, FileRefused, NotHDF5
from catalogue.preview.links import Resolver

# h5grove's message for a file it cannot find; H5Web shows "File not found: '<file>'" for it.
FILE_NOT_FOUND = "File not found!"


class PreviewError(Exception):
    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status
        self.message = message


def error_response(error: PreviewError) -> Response:
    """h5grove's error body: ``{"message": ...}`` as JSON (``h5grove.flask_utils.create_error``)."""
    return encode({"message": error.message}, "json")


@contextmanager
def _resolver(files: DatasetFiles, file: str) -> Iterator[Resolver]:
    """Open ``file`` and translate failures into h5grove's statuses (``get_content_from_file``)."""
    try:
        root = files.open(file)
    except FileRefused:
        raise PreviewError(404, FILE_NOT_FOUND) from None
    except NotHDF5:
        raise PreviewError(415, f"{file} is not an HDF5 file.") from None
    try:
        yield Resolver(files=files, root=root)
    except NotFoundError as exc:
        raise PreviewError(404, str(exc)) from None
    except QueryArgumentError as exc:
        raise PreviewError(422, str(exc)) from None
    finally:
        files.close()


def _link_resolution(raw: str | None) -> LinkResolution:
    try:
        return parse_link_resolution_arg(raw, fallback=LinkResolution.ONLY_VALID)
    except QueryArgumentError as exc:
        raise PreviewError(422, str(exc)) from None


def _resolved(content, path: str | None) -> ResolvedEntityContent:
    if not isinstance(content, ResolvedEntityContent):
        raise PreviewError(404, f"Cannot resolve the link at {path or '/'}")
    return content


def _dataset(content, path: str | None) -> DatasetContent:
    content = _resolved(content, path)
    if not isinstance(content, DatasetContent):
        raise PreviewError(422, f"{content.path} is not a dataset")
    return content


# ---------------------------------------------------------------------- size limits
def max_bytes() -> int:
    return int(settings.PREVIEW_MAX_BYTES)


def selected_shape(shape: tuple[int, ...] | None, selection: str | None) -> tuple[int, ...]:
    """The shape ``selection`` (h5grove/NumPy slice syntax) takes out of ``shape``.

    Computed from the dataset's shape alone, before anything is read; malformed or
    out-of-range selections raise a 422 PreviewError with what is wrong.
    """
    if shape is None:  # HDF5 null dataspace (h5py.Empty): nothing to read
        if selection:
            raise PreviewError(422, "An empty (null dataspace) dataset cannot be sliced.")
        return (0,)
    if selection is None:
        return shape
    try:
        members = parse_slice(selection)
    except (ValueError, TypeError):
        raise PreviewError(
            422,
            f"{selection!r} is not a valid selection: use NumPy-style indices and slices "
            "separated by commas, e.g. '0, 10:20, ::2'.",
        ) from None
    if len(members) > len(shape):
        raise PreviewError(
            422, f"{selection} has too many members to slice a {len(shape)}D dataset"
        )
    out: list[int] = []
    for axis, (member, length) in enumerate(zip(members, shape, strict=False)):
        if isinstance(member, int):
            if not -length <= member < length:
                raise PreviewError(
                    422, f"Index {member} is out of range for axis {axis} of length {length}."
                )
            continue
        if member.step is not None and member.step < 1:
            raise PreviewError(422, f"Slice step must be 1 or more, not {member.step}.")
        out.append(len(range(*member.indices(length))))
    return tuple(out) + tuple(shape[len(members) :])


def _check_size(nbytes: int, what: str) -> None:
    limit = max_bytes()
    if nbytes > limit:
        raise PreviewError(
            413,
            f"{what} is {nbytes:,} bytes, more than the {limit:,} bytes one preview request "
            "may read. Select a smaller slice (the 'selection' parameter), or download the file.",
        )


def _selection_nbytes(dataset: h5py.Dataset, selection: str | None, dtype: str | None) -> int:
    shape = selected_shape(dataset.shape, selection)
    itemsize = dataset.dtype.itemsize
    if dtype == "safe" and dataset.dtype.kind == "f" and itemsize < 4:
        itemsize = 4  # h5grove converts float16 to float32 for JavaScript typed arrays
    return math.prod(shape) * itemsize


def _read(read):
    """Run h5py's read; selections h5py rejects are 422, unreadable data a clear 422."""
    try:
        return read()
    except (ValueError, TypeError, IndexError) as exc:
        raise PreviewError(422, f"Invalid selection: {exc}") from None
    except OSError as exc:
        raise PreviewError(422, f"The data cannot be read: {exc}") from None


# ---------------------------------------------------------------------- operations
def preview_meta(
    *, files: DatasetFiles, file: str, path: str | None, resolve_links: str | None
) -> Response:
    """``/meta``: the entity's metadata (groups with their children's)."""
    resolution = _link_resolution(resolve_links)
    with _resolver(files, file) as resolver:
        return encode(resolver.content(path, resolution).metadata(), "json")


def preview_attr(
    *, files: DatasetFiles, file: str, path: str | None, attr_keys: Sequence[str] | None
) -> Response:
    """``/attr``: attribute values, all or those named by ``attr_keys``."""
    with _resolver(files, file) as resolver:
        content = _resolved(resolver.content(path), path)
        attrs = content._h5py_entity.attrs
        keys = list(attrs.keys()) if attr_keys is None else list(attr_keys)
        for key in keys:
            if key not in attrs:
                raise PreviewError(404, f"{key} is not an attribute of {content.path}")
        _check_size(sum(attrs.get_id(k).get_storage_size() for k in keys), "These attributes")
        return encode(content.attributes(attr_keys), "json")


def preview_data(
    *,
    files: DatasetFiles,
    file: str,
    path: str | None,
    selection: str | None,
    format: str | None,
    flatten: bool,
    dtype: str | None,
) -> Response:
    """``/data``: values of a dataset (or of a selection of it), encoded as asked."""
    with _resolver(files, file) as resolver:
        content = _dataset(resolver.content(path), path)
        entity = content._h5py_entity
        _check_size(_selection_nbytes(entity, selection, dtype), "This selection")
        data = _read(lambda: content.data(selection, flatten, dtype))
        if format == "tiff" and np.ndim(data) < 2:
            # h5grove's tiff_encode needs an image; tifffile fails on less than 2D.
            raise PreviewError(422, "The tiff format needs at least 2D data: select an image.")
        try:
            return encode(data, format)
        except (ValueError, TypeError, IndexError) as exc:
            raise PreviewError(422, f"Cannot encode this data as {format}: {exc}") from None


def preview_stats(*, files: DatasetFiles, file: str, path: str | None, selection: str | None):
    """``/stats``: min, max, mean... of a numeric dataset (or of a selection of it)."""
    with _resolver(files, file) as resolver:
        content = _dataset(resolver.content(path), path)
        entity = content._h5py_entity
        if not (np.issubdtype(entity.dtype, np.number) or np.issubdtype(entity.dtype, np.bool_)):
            raise PreviewError(422, f"{content.path} is not numeric: no statistics")
        _check_size(_selection_nbytes(entity, selection, None), "This selection")
        return encode(_read(lambda: content.data_stats(selection)), "json")


def preview_paths(
    *, files: DatasetFiles, file: str, path: str | None, resolve_links: str | None
) -> Response:
    """``/paths``: the path of every entity below a group (h5grove's ``get_list_of_paths``)."""
    resolution = _link_resolution(resolve_links)
    with _resolver(files, file) as resolver:
        base = resolver.content(path, resolution)
        if not isinstance(base, GroupContent):
            raise PreviewError(422, f"{base.path} is not a group")
        names: list[bytes] = []
        # H5Lvisit walks hard-linked groups of this file only; it follows no link.
        base._h5py_entity.id.links.visit(names.append)
        node = resolver.node_of(base)
        paths = [base.path]
        for name in names:
            relative = name.decode("utf-8", "surrogateescape")
            full = hdf_path_join(path, relative)
            paths.append(
                resolver.content_below(node, base.path, relative, resolution, whole_path=full).path
            )
        return encode(paths, "json")
