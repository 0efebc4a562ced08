"""GET /api/v1/datasets/<pid>/files: keyset pages of files, optionally below one folder.

The view is ``catalogue.api.views.DatasetFiles`` (which also registers files); this module
builds its GET answer.

``?prefix=raw/scan_01/`` limits the list to the files under that folder (recursively);
``&folders=1`` adds ``"folders": [{"path", "files", "size"}, …]``, the folders directly under
the prefix with their recursive counts. ``after`` and ``page_size`` page as before.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from catalogue import folders, selectors
from catalogue.api.base import flag_param, page_size_param
from catalogue.api.representation import file_json


@dataclass(frozen=True)
class FilesPage:
    """One keyset page of a dataset's files as JSON, and the URL of the next page."""

    files: list[dict]
    next_url: str | None


def files_keyset_page(
    request: Request, dataset, *, prefix: str = "", after: str | None, limit: int
) -> FilesPage:
    """The files after ``after`` (below ``prefix``), and a ``next`` URL on the files endpoint.

    The one builder of both public shapes: the record's first page (``files``/``files_next``
    in GET /datasets/<pid>) and the files endpoint's pages (``results``/``next``)."""
    rows, next_after = selectors.dataset_files_after(
        dataset=dataset, after=after, limit=limit, prefix=prefix
    )
    files = [
        file_json(
            f,
            download_url=request.build_absolute_uri(
                selectors.file_download_url(dataset=dataset, file=f)
            ),
        )
        for f in rows
    ]
    next_url = None
    if next_after is not None:
        query = {"after": next_after, "page_size": limit}
        if prefix:
            query["prefix"] = prefix
        path = reverse("api:dataset-files", kwargs={"pid": dataset.pid})
        next_url = request.build_absolute_uri(f"{path}?{urlencode(query)}")
    return FilesPage(files=files, next_url=next_url)


def folder_files_body(request: Request, dataset) -> dict:
    """The answer of GET …/files for a dataset whose files the caller may read (the view in
    ``catalogue.api.views`` asked the gate)."""
    try:
        prefix = folders.normalize_prefix(request.query_params.get("prefix"))
    except folders.BadPrefix as exc:
        raise ValidationError({"prefix": f"Not a folder path in the dataset: {exc}"}) from exc
    limit = page_size_param(request)
    with_folders = flag_param(request, "folders")
    after = request.query_params.get("after") or None
    page = files_keyset_page(request, dataset, prefix=prefix, after=after, limit=limit)
    count = folders.folder_file_count(dataset=dataset, prefix=prefix) or 0
    body = {"count": count, "prefix": prefix, "results": page.files, "next": page.next_url}
    if with_folders:
        body["folders"] = [
            f.as_json() for f in folders.folders_under(dataset=dataset, prefix=prefix)
        ]
    return body
