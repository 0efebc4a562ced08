"""The h5grove endpoints of a dataset: ``/datasets/<pid>/h5grove/meta|attr|data|stats|paths``.

Views parse h5grove's query parameters the way h5grove's adapters do (``file``, ``path``,
``selection``, ``format``, ``flatten``, ``dtype``, ``resolve_links``, repeated ``attr_keys``),
ask the access gate, and hand over to :mod:`catalogue.preview.api`.
"""

import uuid

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods
from h5grove.encoders import Response
from h5grove.utils import parse_bool_arg

from catalogue.access import DatasetGone, DatasetNotFound, access_decide
from catalogue.preview import api
from catalogue.preview.files import DatasetFiles
from catalogue.preview.selectors import dataset_for_preview
from stats.tracking import usage_track


def _http(response: Response, status: int = 200) -> HttpResponse:
    http = HttpResponse(response.content, status=status)
    for key, value in response.headers.items():
        http[key] = value
    # Set here: these endpoints skip CommonMiddleware (portal/lean.py), which would add it.
    http["Content-Length"] = str(len(response.content))
    # Files of a published dataset do not change, but access can (embargo, withdrawal).
    http["Cache-Control"] = "private, no-cache"
    return http


def _error(error: api.PreviewError) -> HttpResponse:
    return _http(api.error_response(error), status=error.status)


def _files_or_error(
    request: HttpRequest, pid: uuid.UUID, file: str | None = None
) -> DatasetFiles | api.PreviewError:
    dataset = dataset_for_preview(pid, file=file)
    # 404 with h5grove's own message for every dataset whose files this user may not read
    # (unknown, draft, embargoed, withdrawn): nothing tells what exists.
    try:
        access_decide(user=request.user, dataset=dataset, need="files")
    except (DatasetNotFound, DatasetGone):
        return api.PreviewError(404, api.FILE_NOT_FOUND)
    files = DatasetFiles(dataset)
    if file is not None:
        files.remember_registration(file, registered=dataset.file_registered)
    return files


def _serve(
    request: HttpRequest, pid: uuid.UUID, operation, *, track: bool = False, **params
) -> HttpResponse:
    file = request.GET.get("file")
    if not file:
        return _error(api.PreviewError(422, "The 'file' query parameter is required."))
    files = _files_or_error(request, pid, file)
    if isinstance(files, api.PreviewError):
        return _error(files)
    if track and request.GET.get("path") in (None, "", "/"):
        # Opening a file's preview (its root metadata) is a COUNTER investigation.
        usage_track(request, dataset=files.dataset)
    try:
        return _http(operation(files=files, file=file, path=request.GET.get("path"), **params))
    except api.PreviewError as exc:
        return _error(exc)
    finally:
        files.close()


@require_http_methods(["GET", "HEAD"])
def root(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    """h5grove's ``/``: "ok" when the endpoint serves this dataset's files to this user."""
    files = _files_or_error(request, pid)
    if isinstance(files, api.PreviewError):
        return _error(files)
    return HttpResponse("ok", content_type="text/plain")


@require_http_methods(["GET", "HEAD"])
def meta(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    return _serve(
        request,
        pid,
        api.preview_meta,
        track=True,
        resolve_links=request.GET.get("resolve_links"),
    )


@require_http_methods(["GET", "HEAD"])
def attr(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    keys = request.GET.getlist("attr_keys") if "attr_keys" in request.GET else None
    return _serve(request, pid, api.preview_attr, attr_keys=keys)


@require_http_methods(["GET", "HEAD"])
def data(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    return _serve(
        request,
        pid,
        api.preview_data,
        selection=request.GET.get("selection"),
        format=request.GET.get("format", "json"),
        flatten=parse_bool_arg(request.GET.get("flatten"), fallback=False),
        dtype=request.GET.get("dtype", "origin"),
    )


@require_http_methods(["GET", "HEAD"])
def stats(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    return _serve(request, pid, api.preview_stats, selection=request.GET.get("selection"))


@require_http_methods(["GET", "HEAD"])
def paths(request: HttpRequest, pid: uuid.UUID) -> HttpResponse:
    return _serve(request, pid, api.preview_paths, resolve_links=request.GET.get("resolve_links"))
