"""REST API v1: dataset records and their files (keyset-paged)."""

from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue import selectors
from catalogue.access import (
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    user_is_curator,
    user_is_dataset_member,
)
from catalogue.api.representation import dataset_json, file_json
from catalogue.snapshot import dataset_snapshot

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


def _page_size(request: Request) -> int:
    raw = request.query_params.get("page_size", str(DEFAULT_PAGE_SIZE))
    try:
        size = int(raw)
    except ValueError as exc:
        raise ValidationError({"page_size": f"Must be a whole number, not {raw!r}."}) from exc
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationError({"page_size": f"Must be between 1 and {MAX_PAGE_SIZE}."})
    return size


def _gone(dataset) -> Response:
    return Response(
        {
            "detail": "This dataset has been withdrawn.",
            "pid": str(dataset.pid),
            "doi": dataset.doi,
            "withdrawal_reason": dataset.withdrawal_reason,
            "withdrawn_at": dataset.withdrawn_at,
        },
        status=410,
    )


def _files_block(request: Request, dataset, access, *, after: str | None, limit: int) -> dict:
    if not access.files:
        return {"files": [], "files_next": None}
    rows, next_after = selectors.dataset_files_after(dataset=dataset, after=after, limit=limit)
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
        path = reverse("api:dataset-files", kwargs={"pid": dataset.pid})
        query = urlencode({"after": next_after, "page_size": limit})
        next_url = request.build_absolute_uri(f"{path}?{query}")
    return {"files": files, "files_next": next_url}


def _access_block(dataset, access) -> dict:
    if access.files:
        state = "open"
    elif access.embargoed_until:
        state = "embargoed"
    else:
        state = "closed"
    return {"files_access": state, "files_embargoed_until": access.embargoed_until}


class DatasetDetail(APIView):
    """GET /api/v1/datasets/<pid>: the record and the first page of its files."""

    def get(self, request: Request, pid) -> Response:
        try:
            dataset, access = access_dataset(user=request.user, pid=pid)
        except DatasetNotFound as exc:
            raise Http404 from exc
        except DatasetGone as gone:
            return _gone(gone.dataset)
        snapshot = dataset_snapshot(dataset)
        body = dataset_json(snapshot)
        body.update(_access_block(dataset, access))
        body.update(_files_block(request, dataset, access, after=None, limit=_page_size(request)))
        if user_is_curator(request.user) or user_is_dataset_member(request.user, dataset):
            from doi.selectors import doi_registration_json

            body["doi_registration"] = doi_registration_json(dataset=dataset)
        return Response(body)


class DatasetFiles(APIView):
    """GET /api/v1/datasets/<pid>/files?after=<path>&page_size=n: keyset pages of files."""

    def get(self, request: Request, pid) -> Response:
        try:
            dataset, access = access_dataset(user=request.user, pid=pid, need="files")
        except DatasetNotFound as exc:
            raise Http404 from exc
        except DatasetGone as gone:
            # A tombstone this user knows of: gone, like the record itself (not a 404).
            return _gone(gone.dataset)
        block = _files_block(
            request,
            dataset,
            access,
            after=request.query_params.get("after") or None,
            limit=_page_size(request),
        )
        return Response(
            {"count": dataset.file_count, "results": block["files"], "next": block["files_next"]}
        )
