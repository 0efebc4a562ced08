"""The SciCat-compatible API (``/scicat/api/v3/…`` and ``/v4/…``): parse, call one service or
selector, answer in SciCat's shapes and status codes (NestJS: ``{"statusCode", "message",
"error"}``). Collection names are case-insensitive (SciCat's Express routing is), pids may
contain ``/`` (sent as ``%2F``)."""

from __future__ import annotations

import functools
import json
import logging

from django.contrib.auth import authenticate
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import HttpRequest, JsonResponse, RawPostDataException
from django.views.decorators.csrf import csrf_exempt

from catalogue.access import (
    DatasetForbidden,
    DatasetGone,
    DatasetNotFound,
    _group_ids,
    access_dataset,
    datasets_public,
    user_is_curator,
)
from catalogue.models import Dataset, Instrument, Proposal
from catalogue.services.datasets import dataset_delete_draft
from catalogue.services.errors import DatasetInputError
from catalogue.services.lifecycle import TransitionError
from scicat import selectors
from scicat.auth import AuthFailed, issue_token, request_user
from scicat.mapping import ScicatInputError
from scicat.models import ScicatEntity
from scicat.services import (
    ScicatConflict,
    dataset_for_scicat_pid,
    scicat_attachment_create,
    scicat_datablock_create,
    scicat_dataset_create,
    scicat_dataset_update,
    scicat_entity_save,
)

logger = logging.getLogger(__name__)

_REASONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    410: "Gone",
    413: "Payload Too Large",
}


def error(status: int, message, errors: dict | None = None) -> JsonResponse:
    body = {"statusCode": status, "message": message, "error": _REASONS.get(status, "Error")}
    if errors:
        body["errors"] = errors
    return JsonResponse(body, status=status)


class _NotFound(Exception):
    pass


def endpoint(*methods: str, write: tuple[str, ...] = ("POST", "PATCH", "PUT", "DELETE")):
    """Method check, caller, JSON body, and the domain errors turned into SciCat answers."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request: HttpRequest, *args, **kwargs):
            if request.method not in methods:
                return error(405, f"Cannot {request.method} {request.path}")
            try:
                user = request_user(request)
            except AuthFailed as exc:
                return error(401, str(exc))
            if request.method in write and not (user.is_authenticated and request.scicat_token):
                return error(401, "Log in first: POST auth/login, then send the token as Bearer.")
            if request.method in write and "write" not in request.scicat_scopes:
                return error(403, "This token may only read: create a token with the write scope.")
            body = None
            if request.method in ("POST", "PATCH", "PUT"):
                try:
                    raw = request.body
                except (RequestDataTooBig, RawPostDataException):
                    return error(413, "The request body is too large.")
                try:
                    body = json.loads(raw or b"{}")
                except ValueError as exc:
                    return error(400, f"The body is not valid JSON: {exc}")
            try:
                return view(request, user, body, *args, **kwargs)
            except ScicatInputError as exc:
                return error(400, [f"{k}: {' '.join(v)}" for k, v in exc.errors.items()],
                             exc.errors)  # fmt: skip
            except DatasetInputError as exc:
                return error(400, [f"{k}: {' '.join(v)}" for k, v in exc.errors.items()],
                             exc.errors)  # fmt: skip
            except TransitionError as exc:
                return error(400, str(exc))
            except ScicatConflict as exc:
                return error(409, str(exc))
            except DatasetForbidden:
                return error(403, "You may read this dataset but not change it.")
            except DatasetGone:
                return error(410, "This dataset has been withdrawn.")
            except (DatasetNotFound, _NotFound):
                return error(404, "Dataset not found")

        return inner

    return wrap


def _dataset(user, pid: str, need: str = "metadata") -> Dataset:
    found = dataset_for_scicat_pid(pid)
    if found is None:
        raise DatasetNotFound
    dataset, _ = access_dataset(
        user=user, pid=found.pid, need=need, queryset=selectors.scicat_queryset()
    )
    return dataset


def _includes(request) -> set[str]:
    values = set()
    for value in request.GET.getlist("include"):
        values.update(v.strip().lower() for v in value.split(","))
    if "all" in values:
        values |= {"origdatablocks", "attachments"}
    return values


def _full(dataset: Dataset, *, version: str, user, include: set[str], files=None) -> dict:
    out = selectors.dataset_json(dataset, version=version, user=user)
    if "origdatablocks" in include:
        out["origdatablocks"] = selectors.datablocks_json(dataset, user=user, files=files)
    if "attachments" in include:
        out["attachments"] = selectors.attachments_json(dataset)
    return out


# --- auth ----------------------------------------------------------------------------------


@endpoint("POST", write=())
def login(request, user, body, version="v3"):
    """SciCat auth.service.ts login(): {access_token, id (the same JWT), expires_in, ttl,
    created, userId, user}."""
    if not isinstance(body, dict) or not isinstance(body.get("username"), str) or not isinstance(
            body.get("password"), str):  # fmt: skip
        return error(400, 'Send {"username", "password"}.')
    account = authenticate(request, username=body["username"], password=body["password"])
    if account is None or not account.is_active:
        return error(401, "Unauthorized: wrong username or password.")
    token, lifetime, created = issue_token(account)
    return JsonResponse(
        {
            "access_token": token,
            "id": token,
            "expires_in": lifetime,
            "ttl": lifetime,
            "created": created.isoformat().replace("+00:00", "Z"),
            "userId": str(account.pk),
            "user": {
                "id": str(account.pk),
                "_id": str(account.pk),
                "username": account.get_username(),
                "email": account.email,
                "realm": "portal",
                "emailVerified": False,
            },
        },
        status=201,
    )


# --- datasets -------------------------------------------------------------------------------


@endpoint("GET", "POST")
def datasets(request, user, body, version):
    if request.method == "POST":
        dataset, _ = scicat_dataset_create(body=body, version=version, actor=user)
        dataset = _dataset(user, selectors.scicat_pid(dataset))
        return JsonResponse(selectors.dataset_json(dataset, version=version, user=user), status=201)
    page, with_blocks, with_attachments = selectors.datasets_filtered(
        user=user, filter_param=request.GET.get("filter")
    )
    page = list(page)
    files = selectors.prefetch_files(page) if with_blocks else {}
    include = {"origdatablocks"} if with_blocks else set()
    if with_attachments:
        include.add("attachments")
    if version == "v4":
        include |= _includes(request)
    return JsonResponse(
        [_full(d, version=version, user=user, include=include, files=files.get(d.pk))
         for d in page],
        safe=False,
    )  # fmt: skip


@endpoint("GET")
def datasets_fullquery(request, user, body, version):
    page = selectors.datasets_fullquery(
        user=user,
        fields_param=request.GET.get("fields"),
        limits_param=request.GET.get("limits"),
    )
    return JsonResponse(
        [selectors.dataset_json(d, version=version, user=user) for d in page], safe=False
    )


@endpoint("POST", write=())
def datasets_is_valid(request, user, body, version):
    """Validate as a create would, write nothing: {"valid": bool, "reason": [...]}."""
    if not (user.is_authenticated and request.scicat_token):
        return error(401, "Log in first: POST auth/login, then send the token as Bearer.")
    try:
        with transaction.atomic():
            scicat_dataset_create(body=body, version=version, actor=user)
            transaction.set_rollback(True)
    except ScicatInputError as exc:
        return JsonResponse({"valid": False, "reason": [
            f"{k}: {' '.join(v)}" for k, v in exc.errors.items()]})  # fmt: skip
    except ScicatConflict as exc:
        return JsonResponse({"valid": False, "reason": [str(exc)]})
    return JsonResponse({"valid": True})


@endpoint("GET", "PATCH", "PUT", "DELETE")
def dataset_detail(request, user, body, version, pid):
    if request.method in ("PATCH", "PUT"):
        dataset = _dataset(user, pid, need="edit")
        scicat_dataset_update(dataset=dataset, body=body, version=version, actor=user)
        dataset = _dataset(user, pid)
        return JsonResponse(selectors.dataset_json(dataset, version=version, user=user))
    if request.method == "DELETE":
        dataset = _dataset(user, pid, need="edit")
        out = selectors.dataset_json(dataset, version=version, user=user)
        dataset_delete_draft(dataset=dataset, actor=user)
        return JsonResponse(out)
    dataset = _dataset(user, pid)
    include = _includes(request) if version == "v4" else set()
    return JsonResponse(_full(dataset, version=version, user=user, include=include))


@endpoint("GET")
def dataset_public(request, user, body, version, pid):
    """v4 datasets/public/{pid}: what anonymous visitors may read (scitacean without login)."""
    dataset = _dataset(None, pid)
    include = _includes(request)
    return JsonResponse(_full(dataset, version=version, user=None, include=include))


@endpoint("GET", "POST")
def dataset_origdatablocks(request, user, body, version, pid):
    if request.method == "POST":
        dataset = _dataset(user, pid, need="edit")
        block = scicat_datablock_create(dataset=dataset, body=body, actor=user)
        return JsonResponse(_block_answer(user, pid, block["_id"]), status=201)
    dataset = _dataset(user, pid)
    return JsonResponse(selectors.datablocks_json(dataset, user=user), safe=False)


def _block_answer(user, pid: str, block_id: str) -> dict:
    dataset = _dataset(user, pid)
    for block in selectors.datablocks_json(dataset, user=user):
        if block["_id"] == block_id:
            return block
    return {"_id": block_id, "id": block_id, "datasetId": pid, "dataFileList": [], "size": 0}


@endpoint("POST")
def origdatablocks(request, user, body, version):
    """v4 POST origdatablocks {datasetId, size, dataFileList, chkAlg?}; no ownerGroup needed."""
    if not isinstance(body, dict) or not isinstance(body.get("datasetId"), str):
        return error(400, ["datasetId: datasetId should not be empty."])
    pid = body["datasetId"]
    dataset = _dataset(user, pid, need="edit")
    block = scicat_datablock_create(dataset=dataset, body=body, actor=user)
    return JsonResponse(_block_answer(user, pid, block["_id"]), status=201)


@endpoint("GET", "POST")
def dataset_attachments(request, user, body, version, pid):
    if request.method == "POST":
        dataset = _dataset(user, pid, need="edit")
        attachment = scicat_attachment_create(dataset=dataset, body=body, actor=user)
        return JsonResponse(
            selectors.attachment_json(attachment, selectors.scicat_pid(dataset)), status=201
        )
    dataset = _dataset(user, pid)
    return JsonResponse(selectors.attachments_json(dataset), safe=False)


@endpoint("POST")
def attachments(request, user, body, version):
    """v4 POST attachments {caption, ownerGroup, relationships: [{targetId, targetType}], …}."""
    targets = [
        r.get("targetId")
        for r in (body.get("relationships") or [] if isinstance(body, dict) else [])
        if isinstance(r, dict) and r.get("targetType") == "dataset"
    ]
    pid = (body.get("datasetId") if isinstance(body, dict) else None) or (
        targets[0] if targets else None)  # fmt: skip
    if not isinstance(pid, str):
        return error(400, ["relationships: name the dataset (targetType 'dataset')."])
    dataset = _dataset(user, pid, need="edit")
    attachment = scicat_attachment_create(dataset=dataset, body=body, actor=user)
    return JsonResponse(
        selectors.attachment_json(attachment, selectors.scicat_pid(dataset)), status=201
    )


# --- proposals, samples, instruments, published data -----------------------------------------


def _entity_visible(user, entity: ScicatEntity) -> bool:
    if user_is_curator(user) or entity.body.get("isPublished"):
        return True
    if not user.is_authenticated:
        return False
    if entity.created_by and entity.created_by == user.get_username():
        return True
    from django.contrib.auth.models import Group

    names = set(Group.objects.filter(pk__in=_group_ids(user)).values_list("name", flat=True))
    return entity.owner_group in names or bool(names & set(entity.access_groups))


def _may_write_entity(user, entity: ScicatEntity | None, body) -> bool:
    if user_is_curator(user):
        return True
    from django.contrib.auth.models import Group

    names = set(Group.objects.filter(pk__in=_group_ids(user)).values_list("name", flat=True))
    owner = (body or {}).get("ownerGroup") if isinstance(body, dict) else None
    if owner is not None and owner not in names:
        return False
    return entity is None or entity.owner_group in names or entity.created_by == user.username


def _proposal_json(p: Proposal) -> dict:
    beamtimes = list(p.beamtimes.select_related("instrument").order_by("start"))
    return {
        "proposalId": p.proposal_id,
        "title": p.title,
        "abstract": p.abstract,
        "pi_lastname": p.principal_investigator,
        "email": "",
        "type": p.proposal_type,
        "ownerGroup": f"proposal-{p.facility.code}-{p.proposal_id}",
        "accessGroups": [],
        "isPublished": True,
        "startTime": beamtimes[0].start.isoformat() if beamtimes else None,
        "endTime": beamtimes[-1].end.isoformat() if beamtimes else None,
        "MeasurementPeriodList": [
            {
                "id": b.beamtime_id,
                "instrument": b.instrument.code if b.instrument_id else None,
                "start": b.start.isoformat(),
                "end": b.end.isoformat(),
            }
            for b in beamtimes
        ],
    }


def _entity_view(kind: str, key_field: str):
    @endpoint("GET", "POST")
    def collection(request, user, body, version):
        if request.method == "POST":
            key = body.get(key_field) if isinstance(body, dict) else None
            existing = ScicatEntity.objects.filter(kind=kind, key=key).first() if key else None
            if existing is not None:
                return error(409, f"A {kind} with {key_field} {key} already exists!")
            if not _may_write_entity(user, None, body):
                return error(403, "The ownerGroup must be one of your groups.")
            entity = scicat_entity_save(kind=kind, key_field=key_field, body=body, actor=user)
            return JsonResponse(entity.body, status=201)
        out = []
        if kind == "proposal":
            out = [_proposal_json(p) for p in Proposal.objects.select_related("facility")[:1000]]
        out += [e.body for e in ScicatEntity.objects.filter(kind=kind)[:1000]
                if _entity_visible(user, e)]  # fmt: skip
        return JsonResponse(out, safe=False)

    @endpoint("GET", "PATCH")
    def detail(request, user, body, version, key):
        entity = ScicatEntity.objects.filter(kind=kind, key=key).first()
        if request.method == "PATCH":
            if entity is None:
                return error(404, f"{kind.title()} not found")
            if not _may_write_entity(user, entity, body):
                return error(403, f"You may not change this {kind}.")
            entity = scicat_entity_save(
                kind=kind, key_field=key_field, body=body, actor=user, key=key
            )
            return JsonResponse(entity.body)
        if kind == "proposal":
            props = list(Proposal.objects.filter(proposal_id=key).select_related("facility")[:2])
            if len(props) == 1:
                return JsonResponse(_proposal_json(props[0]))
        if entity is None or not _entity_visible(user, entity):
            return error(404, f"{kind.title()} not found")
        return JsonResponse(entity.body)

    return collection, detail


proposals, proposal_detail = _entity_view("proposal", "proposalId")
samples, sample_detail = _entity_view("sample", "sampleId")


def _instrument_json(i: Instrument) -> dict:
    return {
        "pid": i.pid or i.code,
        "uniqueName": i.code,
        "name": i.name,
        "customMetadata": {
            "facility": i.facility.code,
            "url": i.url,
            "description": i.description,
        },
    }


@endpoint("GET")
def instruments(request, user, body, version):
    qs = Instrument.objects.select_related("facility").order_by("code")
    return JsonResponse([_instrument_json(i) for i in qs], safe=False)


def _find_instrument(ref: str) -> Instrument | None:
    qs = Instrument.objects.select_related("facility")
    return (
        qs.filter(pid=ref).exclude(pid="").first()
        or qs.filter(code=ref).first()
        or qs.filter(name=ref).first()
    )


@endpoint("GET")
def instrument_detail(request, user, body, version, key):
    inst = _find_instrument(key)
    if inst is None:
        return error(404, "Instrument not found")
    return JsonResponse(_instrument_json(inst))


@endpoint("GET")
def instrument_find_one(request, user, body, version):
    try:
        spec = json.loads(request.GET.get("filter") or "{}")
    except ValueError:
        return error(400, "filter must be JSON.")
    where = spec.get("where", {}) if isinstance(spec, dict) else {}
    ref = where.get("pid") or where.get("name") or where.get("uniqueName")
    inst = _find_instrument(str(ref)) if ref else None
    if inst is None:
        return JsonResponse({}, status=200)
    return JsonResponse(_instrument_json(inst))


@endpoint("GET")
def published_data(request, user, body, version):
    """PublishedData: the portal's published records with a DOI, so an importer keeps it."""
    try:
        spec = json.loads(request.GET.get("filter") or "{}")
    except ValueError:
        return error(400, "filter must be JSON.")
    spec = spec if isinstance(spec, dict) else {}
    where = spec.get("where") or {}
    limits = spec.get("limits") or {}
    skip = int(limits.get("skip", spec.get("skip", 0)) or 0)
    limit = min(int(limits.get("limit", spec.get("limit", 1000)) or 1000), 1000)
    qs = datasets_public().exclude(doi__isnull=True).exclude(doi="")
    wanted = where.get("pidArray")
    if wanted is not None:
        values = wanted.get("inq") if isinstance(wanted, dict) else [wanted]
        ids = [d.pk for v in values or [] if (d := dataset_for_scicat_pid(str(v))) is not None]
        qs = qs.filter(pk__in=ids)
    ids = list(qs.order_by("published_at", "pk").values_list("pk", flat=True)[skip : skip + limit])
    page = selectors.scicat_queryset(Dataset.objects.filter(pk__in=ids)).order_by(
        "published_at", "pk")  # fmt: skip
    out = []
    for d in page:
        out.append({
            "doi": d.doi,
            "pidArray": [selectors.scicat_pid(d)],
            "title": d.title,
            "abstract": d.description,
            "creator": [c.name for c in d.creators.all()],
            "authors": [c.name for c in d.creators.all()],
            "publisher": d.publisher,
            "publicationYear": d.publication_year,
            "affiliation": d.facility.name if d.facility_id else "",
            "resourceType": d.resource_type_general,
            "dataDescription": d.get_absolute_url() if hasattr(d, "get_absolute_url") else "",
            "numberOfFiles": d.file_count,
            "sizeOfArchive": d.total_size,
            "status": "registered",
            "registeredTime": d.published_at.isoformat() if d.published_at else None,
        })  # fmt: skip
    return JsonResponse(out, safe=False)
