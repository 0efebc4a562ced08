"""REST API v1: dataset records (list, create, read, change, delete drafts) and their files.

Views parse and answer; the writers in ``catalogue.services`` decide and write, the gate in
``catalogue.access`` decides who sees what. Errors are raised as the domain's exceptions and
turned into JSON 4xx answers by ``portal.api.exception_handler``. Other features add their own
view classes (curation transitions, statistics, DOI registration) beside these.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.urls import reverse
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.request import Request
from rest_framework.response import Response

from catalogue.access import (
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    access_decide,
    datasets_visible_to,
    user_is_curator,
)
from catalogue.api.base import (
    DEFAULT_PAGE_SIZE,
    MAX_PAGE_SIZE,
    PortalAPIView,
    PortalCursorPagination,
    find_nul,
    flag_param,
    page_size_param,
)
from catalogue.api.files import files_keyset_page, folder_files_body
from catalogue.api.representation import dataset_editor_json, dataset_json
from catalogue.filters import DatasetFilter
from catalogue.models import Dataset
from catalogue.services.datasets import (
    dataset_create,
    dataset_delete_draft,
    dataset_update,
    datasets_create_many,
)
from catalogue.services.files import (
    MAX_FILES_PER_CALL,
    dataset_file_remove,
    dataset_files_register,
    dataset_files_replace,
)
from catalogue.services.verify import dataset_files_check_sizes, queue_checksum_verification
from catalogue.services.versions import VersionError, dataset_new_version
from catalogue.snapshot import dataset_snapshot, record_queryset, record_snapshot, snapshot_queryset
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
    body = dataset_json(record_snapshot(dataset))
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
    """Look up (locking the row for this request's transaction) and decide ``edit``. The row
    alone: the writers load what they change themselves (no snapshot's related rows here)."""
    qs = Dataset.objects.select_for_update()
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


MAX_DATASETS_PER_BATCH = 1_000  # records per POST /api/v1/datasets/batch


class DatasetBatch(PortalAPIView):
    """POST /api/v1/datasets/batch: create up to 1,000 drafts, with their files, at once.

    The body is a JSON array of records as ``POST /api/v1/datasets`` takes them, each with an
    optional ``files`` list as ``POST …/files`` takes it (10,000 files in all per request).
    All or nothing: one bad record is a 400 whose ``errors`` are keyed by the record's index
    and JSON path (``[3].creators[0].orcid``, ``[0].files[7].path``) and nothing is written.
    201 answers ``{"created": n, "datasets": [{"pid", "url", "api_url", "status",
    "file_count", "total_size"}, …]}`` in the order sent (no full records: GET them).
    ``Idempotency-Key`` is honoured as for single creates.
    """

    parser_classes = [JSONParser]  # an array has no form encoding: anything else is a 415

    def post(self, request: Request) -> Response:
        items = request.data
        if not isinstance(items, list):
            raise ValidationError({"__all__": ["Send a JSON array of datasets."]})
        if not 1 <= len(items) <= MAX_DATASETS_PER_BATCH:
            raise ValidationError(
                {"__all__": [f"Send 1 to {MAX_DATASETS_PER_BATCH:,} datasets per request."]}
            )
        where = find_nul(items)
        if where:
            raise ValidationError({where: ["NUL characters are not allowed."]})
        records, files, total = [], [], 0
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                raise ValidationError({f"[{i}]": ["Must be a JSON object (a dataset)."]})
            record = dict(item)
            file_list = record.pop("files", None)
            if file_list is not None and not isinstance(file_list, list):
                raise ValidationError({f"[{i}].files": ["Send a list of files."]})
            total += len(file_list or [])
            records.append(record)
            files.append(file_list)
        if total > MAX_FILES_PER_CALL:
            raise ValidationError(
                {"__all__": [f"At most {MAX_FILES_PER_CALL:,} files per request in all "
                             f"({total:,} sent); register the rest with POST …/files."]}
            )  # fmt: skip

        def create() -> Response:
            created = datasets_create_many(
                items=records, files=files, actor=request.user, max_files=MAX_FILES_PER_CALL
            )
            body = {
                "created": len(created),
                "datasets": [
                    {
                        "pid": str(ds.pid),
                        "url": settings.BASE_URL + ds.get_absolute_url(),  # as GET says
                        "api_url": request.build_absolute_uri(
                            reverse("api:dataset-detail", kwargs={"pid": ds.pid})
                        ),
                        "status": ds.status,
                        "file_count": ds.file_count,
                        "total_size": ds.total_size,
                    }
                    for ds in created
                ],
            }
            return Response(body, status=201)

        return idempotent(request, create)


class DatasetDetail(PortalAPIView):
    """GET/PATCH/DELETE /api/v1/datasets/<pid>."""

    def get(self, request: Request, pid) -> Response:
        page_size = page_size_param(request)
        # The row and its DOI registrations; a public record's other parts come cached.
        dataset, access = access_dataset(user=request.user, pid=pid, queryset=record_queryset())
        validators = _validators(dataset)
        if request.headers.get("If-None-Match") == validators["ETag"]:
            return Response(status=304, headers=validators)
        body = dataset_body(request, dataset, access, page_size=page_size)
        return Response(body, headers=validators)

    def patch(self, request: Request, pid) -> Response:
        data = self.body(request)
        dataset, _ = _locked_for_edit(request, pid)
        _check_preconditions(request, dataset)
        updated = dataset_update(dataset=dataset, data=data, actor=request.user, partial=True)
        if updated.changed_fields:  # loaded after the change, with what the answer needs
            dataset, access = updated, access_decide(user=request.user, dataset=updated)
        else:
            dataset, access = access_dataset(user=request.user, pid=pid)
        return Response(dataset_body(request, dataset, access), headers=_validators(dataset))

    def delete(self, request: Request, pid) -> Response:
        dataset, _ = _locked_for_edit(request, pid)
        _check_preconditions(request, dataset)
        dataset_delete_draft(dataset=dataset, actor=request.user)
        return Response(status=204)


class VersionConflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DatasetVersions(PortalAPIView):
    """POST /api/v1/datasets/<pid>/versions: start a new version of a published record.

    201 + Location with the new draft (the same JSON as GET). While a draft new version of the
    record exists, the answer is that draft (200 + Location), as Zenodo does, so a retry or a
    second click never makes two; 409 when the record is not published, or when the existing
    draft is one the caller may not see (its pid is named)."""

    def post(self, request: Request, pid) -> Response:
        dataset, _ = access_dataset(user=request.user, pid=pid)

        def new_version() -> Response:
            try:
                result = dataset_new_version(dataset=dataset, actor=request.user)
            except VersionError as exc:
                raise VersionConflict(str(exc)) from exc
            try:
                draft, access = access_dataset(user=request.user, pid=result.draft.pid)
            except (DatasetNotFound, DatasetGone):
                raise VersionConflict(
                    f"A draft new version of this record exists already ({result.draft.pid}); "
                    "ask its owners or a curator."
                ) from None
            location = request.build_absolute_uri(
                reverse("api:dataset-detail", kwargs={"pid": draft.pid})
            )
            headers = {"Location": location, **_validators(draft)}
            return Response(
                dataset_body(request, draft, access),
                status=201 if result.created else 200,
                headers=headers,
            )

        return idempotent(request, new_version)


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
