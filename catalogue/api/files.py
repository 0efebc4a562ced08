"""GET /api/v1/datasets/<pid>/files: keyset pages of files, optionally below one folder.

The view is ``catalogue.api.views.DatasetFiles`` (which also registers files); this module
builds its GET answer.

``?prefix=raw/scan_01/`` limits the list to the files under that folder (recursively);
``&folders=1`` adds ``"folders": [{"path", "files", "size"}, …]``, the folders directly under
the prefix with their recursive counts. ``after`` and ``page_size`` page as before.
"""

from urllib.parse import urlencode

from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from catalogue import folders, selectors
from catalogue.api.base import page_size_param
from catalogue.api.representation import file_json


def _flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "0").lower()
    if raw not in ("0", "1", "true", "false", ""):
        raise ValidationError({name: f"Must be 1 or 0, not {raw!r}."})
    return raw in ("1", "true")


def folder_files_body(request: Request, dataset) -> dict:
    """The answer of GET …/files for a dataset whose files the caller may read (the view in
    ``catalogue.api.views`` asked the gate)."""
    try:
        prefix = folders.normalize_prefix(request.query_params.get("prefix"))
    except folders.BadPrefix as exc:
        raise ValidationError({"prefix": f"Not a folder path in the dataset: {exc}"}) from exc
    limit = page_size_param(request)
    after = request.query_params.get("after") or None
    files = folders.files_under(dataset=dataset, prefix=prefix)
    if after:
        files = files.filter(path__gt=after)
    rows = list(files[: limit + 1])
    next_after = rows[limit - 1].path if len(rows) > limit else None
    rows = rows[:limit]
    results = [
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
    count = folders.folder_file_count(dataset=dataset, prefix=prefix) or 0
    body = {"count": count, "prefix": prefix, "results": results, "next": next_url}
    if _flag(request, "folders"):
        body["folders"] = [
            f.as_json() for f in folders.folders_under(dataset=dataset, prefix=prefix)
        ]
    return body
