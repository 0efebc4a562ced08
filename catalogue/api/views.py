"""REST API v1: dataset records (list, create, read, change, delete drafts) and their files.

Views parse and answer; the writers in ``catalogue.services`` decide and write, the gate in
``catalogue.access`` decides who sees what. Errors are raised as the domain's exceptions and
turned into JSON 4xx answers by ``portal.api.exception_handler``. Other features add their own
view classes (curation transitions, statistics, DOI registration) beside these.
"""

from __future__ import annotations

import hashlib

from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.access import access_dataset, datasets_visible_to, user_is_curator
from catalogue.api.base import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PortalAPIView,
    PortalCursorPagination,
    flag_param,
    page_size_param,
)
from catalogue.api.files import files_keyset_page, folder_files_body
from catalogue.api.representation import dataset_editor_json, dataset_json
from catalogue.filters import DatasetFilter
from catalogue.services.datasets import dataset_create, dataset_delete_draft, dataset_update
from catalogue.services.files import (
    MAX_FILES_PER_CALL,
    dataset_file_remove,
    dataset_files_register,
    dataset_files_replace,
)
from catalogue.services.verify import dataset_files_check_sizes, queue_checksum_verification
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from portal.idempotency import idempotent


class PreconditionFailed(APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The record changed since you read it: GET it again and redo your change."
    default_code = "precondition_failed"


def _files_block(request: Request, dataset, access, *, after: str | None, limit: int) -> dict:
    """The record's first files, under the record's own key names (``files``/``files_next``)."""
    if not access.files:
        return {"files": [], "files_next": None}
    page = files_keyset_page(request, dataset, after=after, limit=limit)
    return {"files": page.files, "files_next": page.next_url}


def _access_block(access) -> dict:
    if access.files:
        state = "open"
    elif access.embargoed_until:
        state = "embargoed"
    else:
        state = "closed"
    return {"files_access": state, "files_embargoed_until": access.embargoed_until}


def etag(dataset) -> str:
    """A strong validator of the record: it changes whenever ``updated_at`` moves."""
    raw = f"{dataset.pid}:{dataset.updated_at.isoformat()}:{dataset.status}"
    return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'


def _validators(dataset) -> dict:
    return {"ETag": etag(dataset), "Last-Modified": http_date(dataset.updated_at.timestamp())}


def dataset_body(request: Request, dataset, access, *, page_size: int = DEFAULT_PAGE_SIZE):
    """GET's answer: the record, editors' fields if the caller may edit, first files."""
    body = dataset_json(dataset_snapshot(dataset))
    if access.edit:
        body.update(dataset_editor_json(dataset))
    if access.edit or user_is_curator(request.user):
        # Owners and curators see how the DOI's registration at DataCite stands.
        from doi.selectors import doi_registration_json

        body["doi_registration"] = doi_registration_json(dataset=dataset)
    body.update(_access_block(access))
    body.update(_files_block(request, dataset, access, after=None, limit=page_size))
    return body


def _check_preconditions(request: Request, dataset) -> None:
    """RFC 9110 §13.1.1 If-Match and §13.1.4 If-Unmodified-Since: 412 on a lost update."""
    if_match = request.headers.get("If-Match")
    if if_match is not None:
        tags = {t.strip() for t in if_match.split(",")}
        if "*" not in tags and etag(dataset) not in tags:
            raise PreconditionFailed
        return
    since = request.headers.get("If-Unmodified-Since")
    if since is not None:
        when = parse_http_date_safe(since)
        if when is not None and int(dataset.updated_at.timestamp()) > when:
            raise PreconditionFailed


def _locked_for_edit(request: Request, pid):
    """Look up (locking the row for this request's transaction) and decide ``edit``."""
    qs = snapshot_queryset().select_for_update(of=("self",))
    return access_dataset(user=request.user, pid=pid, need="edit", queryset=qs)


class DatasetPagination(PortalCursorPagination):
    ordering = ("-updated_at", "-id")
    page_size = DEFAULT_PAGE_SIZE
    max_page_size = MAX_PAGE_SIZE


class DatasetList(PortalAPIView):
    """GET /api/v1/datasets: what the gate shows the caller, filtered, cursor-paged.
    POST /api/v1/datasets: create a draft (201, Location, the record as GET answers it)."""

    filterset_class = DatasetFilter
    pagination_class = DatasetPagination

    def get(self, request: Request) -> Response:
        qs = datasets_visible_to(user=request.user, queryset=snapshot_queryset())
        filterset = DatasetFilter(request.query_params, queryset=qs, request=request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        paginator = DatasetPagination()
        page = paginator.paginate_queryset(filterset.qs, request, view=self)
        results = [dataset_json(dataset_snapshot(d)) for d in page]
        return paginator.get_paginated_response(results)

    def post(self, request: Request) -> Response:
        data = self.body(request)

        def create() -> Response:
            created = dataset_create(data=data, actor=request.user)
            dataset, access = access_dataset(user=request.user, pid=created.pid)
            location = request.build_absolute_uri(
                reverse("api:dataset-detail", kwargs={"pid": dataset.pid})
            )
            headers = {"Location": location, **_validators(dataset)}
            return Response(dataset_body(request, dataset, access), status=201, headers=headers)

        return idempotent(request, create)


class DatasetDetail(PortalAPIView):
    """GET/PATCH/DELETE /api/v1/datasets/<pid>."""

    def get(self, request: Request, pid) -> Response:
        page_size = page_size_param(request)
        dataset, access = access_dataset(user=request.user, pid=pid)
        validators = _validators(dataset)
        if request.headers.get("If-None-Match") == validators["ETag"]:
            return Response(status=304, headers=validators)
        body = dataset_body(request, dataset, access, page_size=page_size)
        return Response(body, headers=validators)

    def patch(self, request: Request, pid) -> Response:
        data = self.body(request)
        dataset, _ = _locked_for_edit(request, pid)
        _check_preconditions(request, dataset)
        dataset_update(dataset=dataset, data=data, actor=request.user, partial=True)
        dataset, access = access_dataset(user=request.user, pid=pid)
        return Response(dataset_body(request, dataset, access), headers=_validators(dataset))

    def delete(self, request: Request, pid) -> Response:
        dataset, _ = _locked_for_edit(request, pid)
        _check_preconditions(request, dataset)
        dataset_delete_draft(dataset=dataset, actor=request.user)
        return Response(status=204)


def _files_input(request: Request, view: PortalAPIView) -> list:
    data = view.body(request)
    unknown = sorted(set(data) - {"files"})
    if unknown:
        raise ValidationError({key: ["Unknown field."] for key in unknown})
    files = data.get("files")
    if not isinstance(files, list):
        raise ValidationError({"files": ["Send a list of files: [{path, size, checksum, ...}]."]})
    if len(files) > MAX_FILES_PER_CALL:
        raise ValidationError(
            {
                "files": [
                    f"At most {MAX_FILES_PER_CALL:,} files per request; send the rest in another."
                ]
            }
        )
    return files


class DatasetFiles(PortalAPIView):
    """GET (keyset pages), POST (register), PUT (replace), DELETE ?path= one file."""

    def get(self, request: Request, pid) -> Response:
        """Keyset pages, optionally below one folder (``?prefix=``, ``&folders=1``)."""
        dataset, _ = access_dataset(user=request.user, pid=pid, need="files")
        return Response(folder_files_body(request, dataset))

    def _write(self, request: Request, pid, writer) -> Response:
        verify = flag_param(request, "verify")
        files = _files_input(request, self)
        dataset, _ = _locked_for_edit(request, pid)
        if verify:
            dataset_files_check_sizes(dataset=dataset, files=files)
        count = writer(dataset=dataset, files=files, actor=request.user,
                       max_files=MAX_FILES_PER_CALL)  # fmt: skip
        body = {"registered": count, "file_count": dataset.file_count,
                "total_size": dataset.total_size, "verify": None}  # fmt: skip
        if verify:
            body["verify"] = {
                "sizes": "ok",
                "checksums": queue_checksum_verification(dataset=dataset, files=files),
            }
        return body

    def post(self, request: Request, pid) -> Response:
        return idempotent(
            request,
            lambda: Response(self._write(request, pid, dataset_files_register), status=201),
        )

    def put(self, request: Request, pid) -> Response:
        return Response(self._write(request, pid, dataset_files_replace))

    def delete(self, request: Request, pid) -> Response:
        path = request.query_params.get("path")
        if not path:
            raise ValidationError({"path": ["Name the file: ?path=<relative path>."]})
        dataset, _ = _locked_for_edit(request, pid)
        dataset_file_remove(dataset=dataset, path=path, actor=request.user)
        return Response(status=204)
