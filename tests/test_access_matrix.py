"""The access matrix on every path (issue 11 §4): roles x dataset states x paths x credentials.

One table says what each role may know of a dataset in each state (``VISIBILITY``), one who may
change it (``EDITORS``); one table of paths says what each path answers for each kind of
knowledge (``PATHS``). The parametrised test below requests every combination against one world
of real records, real files on disk (downloads, manifests and the HDF5 preview read them) and a
real search index, so no path can drift from the gate. A dataset one must not know of is 404
everywhere (410 for a tombstone the user may know of), never a 403 that reveals it; a write to
it answers exactly as a write to a pid that does not exist.

Credentials (``CREDENTIALS``): a browser session (none for anonymous), HTTP Basic (API v1), the
role's user's API token with the read scope (API v1 and SciCat), with the write scope (writes),
and SciCat's login JWT (SciCat API). Writes (API v1 PATCH/DELETE and files; SciCat PATCH,
DELETE, origdatablocks, attachments) follow one rule (``write``): no credentials 401 before any
lookup, a read token 403, then 404/410 as for reads, 403 for who may read but not change, 400
for what the record's state refuses. Each case runs in its own transaction and rolls back, so
writes make real changes without touching the next case (the last test checks).

Reviewer-link holders (issue 12 §4) are roles too: visitors without an account who opened
``/review/<secret>/`` for each dataset (``link``; ``link-blind`` with double-blind links), whose
links were then revoked (``link-revoked``) or expired (``link-expired``), and one holding a live
link of another dataset only (``link-other``). A link opens its one dataset as a reader sees
it (a double-blind one: the record page without names, files and preview, no metadata API),
lists nothing, writes nothing; dead or foreign links leave the visitor anonymous.

Adding a path is one entry in ``PATHS``; adding a role is one entry in ``ROLES`` and a column
in ``VISIBILITY``; adding a credential is one entry in ``CREDENTIALS`` (and its clients).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import h5py
import numpy as np
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from catalogue.models import (
    AlternateIdentifier,
    Beamtime,
    DataFile,
    Dataset,
    Facility,
    Proposal,
    RelatedIdentifier,
    ReviewLink,
)
from catalogue.roles import REVIEWERS_GROUP, ensure_curators_group
from catalogue.services.files import dataset_refresh_file_totals
from catalogue.services.review_links import review_link_create
from landing.exports import EXPORTS, NEGOTIABLE, WITHDRAWN_EXPORTS
from landing.views import MANIFESTS
from portal.models import ApiToken
from portal.tokens import api_token_create
from scicat.auth import issue_token
from scicat.mapping import SCICAT_PID_TYPE
from tests.factories import DatasetFactory, GroupFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PASSWORD = "pw-for-tests"

# ---------------------------------------------------------------- the one table of knowledge
# none: may not know it exists (404) · meta: the record, files closed (embargo) · full: record
# and files · tomb: a withdrawn record known to this user (410) · all: a curator's full view,
# tombstones included · blind: a double-blind reviewer link: the record page without names,
# the files and their preview, nothing that names people (API record, DataCite).
STATES = [
    "draft", "submitted", "in_review", "changes_requested", "approved",
    "published", "embargoed", "embargo_over", "withdrawn",
]  # fmt: skip
UNPUBLISHED = STATES[:5]
LINK_ROLES = ["link", "link-blind", "link-revoked", "link-expired", "link-other"]
ROLES = ["anonymous", "reader", "owner", "other", "staff", "curator", "reviewer", "admin",
         *LINK_ROLES]  # fmt: skip
CURATING = {"curator", "reviewer", "admin"}
# Holders of dead links, or of another dataset's link, are anonymous visitors here.
AS_ANONYMOUS = {"link-revoked", "link-expired", "link-other"}

_UNPUB = {"anonymous": "none", "reader": "full", "owner": "full", "other": "none",
          "staff": "none", "curator": "all", "reviewer": "all", "admin": "all",
          "link": "full", "link-blind": "blind", "link-revoked": "none", "link-expired": "none",
          "link-other": "none"}  # fmt: skip
VISIBILITY: dict[str, dict[str, str]] = {
    **{state: _UNPUB for state in UNPUBLISHED},
    "published": {role: ("all" if role in CURATING else "full") for role in ROLES},
    # A live link opens the embargoed files (names are public once published: not hidden).
    "embargoed": {role: ("all" if role in CURATING else
                         "full" if role in ("reader", "owner", "link", "link-blind") else "meta")
                  for role in ROLES},
    "embargo_over": {role: ("all" if role in CURATING else "full") for role in ROLES},
    # Withdrawn after publication: a tombstone for everybody, the curators' view for curators;
    # a reviewer link shows no more of it than the public sees.
    "withdrawn": {role: ("all" if role in CURATING else "tomb") for role in ROLES},
}  # fmt: skip


# Who may change a record (catalogue.roles: owners; curators holding change_dataset, so not
# the reviewer; admins); a withdrawn record only curators. Readers read, others see nothing.
EDITORS = {state: ({"curator", "admin"} if state == "withdrawn" else {"owner", "curator", "admin"})
           for state in STATES}  # fmt: skip


# Who may start a new version of a published record (catalogue.roles Action.NEW_VERSION:
# owners; curators holding add_dataset, so not the reviewer; admins).
VERSIONERS = {"owner", "curator", "admin"}


@dataclass(frozen=True)
class Case:
    role: str
    state: str
    knows: str  # VISIBILITY[state][role]
    credential: str = "session"

    @property
    def public_record(self) -> bool:  # has a landing page, is harvestable
        return self.state not in UNPUBLISHED

    @property
    def withdrawn(self) -> bool:
        return self.state == "withdrawn"

    @property
    def reads_files(self) -> bool:
        return self.knows in ("full", "all", "blind")

    @property
    def reads_record(self) -> bool:
        return self.knows in ("meta", "full", "all", "blind")

    @property
    def as_public(self) -> Case:
        """The same request by an anonymous visitor."""
        return Case("anonymous", self.state, VISIBILITY[self.state]["anonymous"])

    @property
    def edits(self) -> bool:
        return self.role in EDITORS[self.state]


# ---------------------------------------------------------------- expectations per path kind
def page(case: Case) -> int:
    if case.knows == "none":
        return 404
    if case.withdrawn:
        return 410  # the tombstone (curators see the record below it)
    # A published record's canonical address is its landing page: 301 to /doi/<doi>.
    return 301 if case.public_record else 200


def api_detail(case: Case) -> int:
    # The API gives curators the withdrawn record itself (they curate it); others a 410.
    return {"none": 404, "meta": 200, "full": 200, "tomb": 410, "all": 200,
            "blind": 404}[case.knows]  # fmt: skip


def api_datacite(case: Case) -> int:
    # DataCite keeps the metadata of tombstoned DOIs, so the API serves it too.
    return 404 if case.knows in ("none", "blind") else 200


def api_files(case: Case) -> int:
    if case.knows == "tomb":
        return 410
    return 200 if case.reads_files else 404


def file_bytes(case: Case) -> int:
    return 200 if case.reads_files else 404


def landing(case: Case) -> int:
    if not case.public_record or case.knows == "none":
        return 404  # no landing page before publication, for anybody
    return 410 if case.withdrawn else 200


def export(key: str) -> Callable[[Case], int]:
    def expected(case: Case) -> int:
        status = landing(case)
        if status == 410 and key in WITHDRAWN_EXPORTS:
            return 200  # DataCite keeps the metadata of tombstoned DOIs
        return status

    return expected


def linkset(case: Case) -> int:
    return landing(case)


def manifest(case: Case) -> int:
    status = landing(case)
    if status == 200 and not case.reads_files:
        return 403  # a public record whose files are under embargo: says until when
    return status


def preview(case: Case) -> int:
    return 200 if case.reads_files else 404


def listed(case: Case) -> bool:
    """In search hits and facet counts: readable records, never withdrawn ones; a reviewer
    link lists nothing (its holder searches as the public does)."""
    if case.role in LINK_ROLES:
        return listed(case.as_public)
    return case.reads_record and not case.withdrawn


# Who gets the search's status facet (catalogue.access.user_sees_unpublished): whoever the
# gate shows an unpublished record of this world (readers and owners see five), and curators.
SEES_UNPUBLISHED = {role for role in ROLES if _UNPUB[role] != "none"}


def status_facet(case: Case) -> dict | None:
    """The status facet's counts over the dataset's own facility: none for who may not see
    unpublished records (their facet list is as it always was), the record's status once for
    who lists it."""
    if case.role not in SEES_UNPUBLISHED or case.role in LINK_ROLES:
        return None  # reviewer links never list anything: no account, no status facet
    status = case.state if case.state in UNPUBLISHED else "published"
    return {status: 1} if listed(case) else {}


def panosc_public(case: Case) -> bool:
    """The PaNOSC API shows what the public reads, to everyone (it searches as nobody): the
    record, and its proposal's and publication's Documents, which only public datasets make
    visible."""
    return listed(case.as_public)


def panosc_status(case: Case) -> int:
    return 200 if panosc_public(case) else 404


def panosc_documents(case: Case) -> tuple:
    return ("proposal", "publication") if panosc_public(case) else ()


def harvested(case: Case) -> str:
    """OAI-PMH is public: the same for every role, a deleted record for a withdrawal."""
    if not case.public_record:
        return "idDoesNotExist"
    return "deleted" if case.withdrawn else "record"


def admin_page(case: Case) -> int:
    if case.role in CURATING:
        return 200
    if case.role in LINK_ROLES:
        return 302  # no account: the admin log-in
    if case.role == "staff":
        return 404  # the admin's door opens, but the role table gives no dataset
    return 302  # to the admin log-in, whatever the dataset


def scicat_read(case: Case) -> tuple[int, int]:
    """SciCat GET of a record (with its origdatablocks): (status, files listed)."""
    status = api_detail(case)
    return status, 1 if status == 200 and case.reads_files else 0


def scicat_public(case: Case) -> tuple[int, int]:
    """v4 datasets/public/{pid}: what anonymous visitors see, whoever asks."""
    state = case.state
    return scicat_read(Case("anonymous", state, VISIBILITY[state]["anonymous"]))


def write(ok: int, *, files: bool = False, drafts_only: bool = False, scicat: bool = False):
    """The one rule for writes, in the order the API decides."""

    def expected(case: Case) -> int:
        if case.role == "anonymous" or case.role in LINK_ROLES:
            return 401  # before any lookup: the same whatever the dataset (links never write)
        if scicat and case.credential == "session":
            return 401  # the SciCat API writes with a token only (no CSRF there)
        if case.credential == "token":
            return 403  # a read token, whatever the dataset
        if case.knows == "none":
            return 404
        if case.knows == "tomb":
            return 410
        if not case.edits:
            return 403  # may read, may not change
        if drafts_only and case.state != "draft":
            return 400  # only drafts are deleted; published records are withdrawn
        if files and case.public_record:
            return 400  # files of published and withdrawn records are locked
        return ok

    return expected


def new_version(case: Case) -> int:
    """POST …/versions: the write rule, then the record's state (only published records get
    new versions: 409 otherwise)."""
    if case.role == "anonymous" or case.role in LINK_ROLES:
        return 401  # before any lookup, as every write (links never write)
    if case.credential == "token":
        return 403
    if case.knows == "none":
        return 404
    if case.knows == "tomb":
        return 410
    if case.role not in VERSIONERS:
        return 403
    if not case.public_record or case.withdrawn:
        return 409
    return 201


# ---------------------------------------------------------------- observations per path
@dataclass
class World:
    datasets: dict[str, Dataset]
    clients: dict[str, dict[str, Client]]  # credential -> role -> client
    files: dict[str, bytes] = field(default_factory=dict)
    unknown: dict = field(default_factory=dict)  # what a write to a dataset nobody has answers
    storage: object = None
    index_prefix: str = ""


def status(response) -> int:
    return response.status_code


def get(path: Callable[[Dataset], str], **headers) -> Callable:
    def observe(client: Client, ds: Dataset, world: World):
        return status(client.get(path(ds), **headers))

    return observe


def observe_page(client, ds, world):
    response = client.get(f"/datasets/{ds.pid}/")
    if response.status_code == 301:
        assert response["Location"] == f"/doi/{ds.doi}", response["Location"]
    return response.status_code


def observe_download(client, ds, world):
    response = client.get(f"/datasets/{ds.pid}/files/scan.h5")
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == world.files[ds.storage_folder]
    return response.status_code


def observe_search_hit(client, ds, world):
    body = client.get("/api/v1/search", {"q": ds.title.split()[-1]}).json()
    return str(ds.pid) in {hit["pid"] for hit in body["results"]}


def observe_facet(client, ds, world):
    body = client.get("/api/v1/search", {"page_size": 1}).json()
    counts = {f["value"]: f["count"] for f in body["facets"].get("facility", [])}
    count = counts.get(ds.facility.name, 0)
    assert count in (0, 1), counts
    return count == 1


def observe_status_facet(client, ds, world):
    body = client.get("/api/v1/search", {"facility": ds.facility.name, "page_size": 1}).json()
    values = body["facets"].get("status")
    return None if values is None else {f["value"]: f["count"] for f in values}


def observe_search_page(client, ds, world):
    html = client.get("/search/", {"q": ds.title.split()[-1]}).content.decode()
    return str(ds.pid) in html


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def observe_get_record(client, ds, world):
    body = _text(client.get(
        "/oai",
        {"verb": "GetRecord", "metadataPrefix": "oai_dc",
         "identifier": f"oai:{settings.OAI_REPOSITORY_ID}:{ds.pid}"},
    ))  # fmt: skip
    if 'code="idDoesNotExist"' in body:
        return "idDoesNotExist"
    return "deleted" if 'status="deleted"' in body else "record"


def observe_list_records(client, ds, world):
    body = _text(client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_dc"}))
    match = re.search(
        rf"<header( status=\"deleted\")?>\s*<identifier>oai:[^<]*:{ds.pid}</identifier>", body
    )
    if match is None:
        return "idDoesNotExist"
    return "deleted" if match.group(1) else "record"


def _panosc_pids(ds: Dataset) -> tuple[str, str]:
    """Its proposal's and its publication's PaNOSC Document pids (one of each per record)."""
    return f"{ds.facility.code}/proposal/MX-P", f"10.5072/mx-paper-{ds.storage_folder}"


def observe_panosc_documents(client, ds, world):
    """Which of its Documents list the record among their datasets."""
    flt = {"where": {"pid": {"inq": list(_panosc_pids(ds))}}, "include": ["datasets"]}
    body = client.get("/panosc/api/Documents", {"filter": json.dumps(flt)}).json()
    return tuple(sorted(d["type"] for d in body if ds.doi in {x["pid"] for x in d["datasets"]}))


def scicat_pid(ds: Dataset) -> str:
    """The record's SciCat pid (its alternate identifier of type SciCat PID), with a '/'."""
    return f"20.500.12269/mx-{ds.pid}"


def _sc(ds: Dataset) -> str:
    return scicat_pid(ds).replace("/", "%2F")  # as pyscicat and scitacean send it


def _file_entry(ds: Dataset, world: World) -> dict:
    data = world.files.get(ds.storage_folder, b"")
    return {"path": "scan.h5", "size": len(data), "checksum": hashlib.sha256(data).hexdigest(),
            "checksum_algorithm": "sha256"}  # fmt: skip


def _keywords(ds: Dataset) -> list[str]:
    return [*ds.keywords, "matrix-edit"]  # a real change, undone by the case's rollback


def observe_scicat_read(path: Callable[[Dataset], str]) -> Callable:
    def observe(client, ds, world):
        response = client.get(path(ds))
        if response.status_code != 200:
            return response.status_code, 0
        body = response.json()
        blocks = body if isinstance(body, list) else body.get("origdatablocks", [])
        return 200, sum(len(block["dataFileList"]) for block in blocks)

    return observe


def send(method: str, path: Callable[[Dataset], str], body: Callable | None = None,
         check: Callable | None = None) -> Callable:  # fmt: skip
    """A write: one request; a dataset one must not know of answers exactly as a pid that
    does not exist (status and body), so nothing tells that it is there."""

    def request(client, ds, world):
        kwargs = {}
        if body is not None:
            kwargs = {"data": json.dumps(body(ds, world)), "content_type": "application/json"}
        return getattr(client, method)(path(ds), **kwargs)

    def observe(client, ds, world):
        response = request(client, ds, world)
        if response.status_code < 300 and check is not None:
            check(response, ds)
        if response.status_code in (401, 403, 404):
            key = (method, path(GHOST), id(client))
            if key not in world.unknown:
                ghost = request(client, GHOST, world)
                world.unknown[key] = (ghost.status_code, ghost.content)
            ghost_status, ghost_body = world.unknown[key]
            if ghost_status == response.status_code:
                assert response.content == ghost_body, (response.content, ghost_body)
        return response.status_code

    return observe


def _patched(response, ds):
    assert "matrix-edit" in response.json()["keywords"]


def _new_draft(response, ds):
    body = response.json()
    assert body["status"] == "draft" and body["pid"] != str(ds.pid)
    assert response["Location"].endswith(f"/api/v1/datasets/{body['pid']}")


def _registered(response, ds):
    assert response.json()["registered"] == 1


def _sc_patched(response, ds):
    assert "matrix-edit" in response.json()["keywords"]


def _sc_block(response, ds):
    assert [f["path"] for f in response.json()["dataFileList"]] == ["scan.h5"]


def _datablock(ds, world, *, with_id=False):
    entry = _file_entry(ds, world)
    item = {"path": "scan.h5", "size": entry["size"], "chk": entry["checksum"],
            "time": "2024-05-01T00:00:00Z"}  # fmt: skip
    block = {"size": entry["size"], "chkAlg": "sha256", "dataFileList": [item]}
    if with_id:
        block["datasetId"] = scicat_pid(ds)
    return block


V1 = "/api/v1/datasets"
SC3 = "/scicat/api/v3/Datasets"
SC4 = "/scicat/api/v4"
# A dataset that does not exist, for the "nothing tells it is there" comparison.
GHOST = Dataset(pid=uuid.UUID(int=0x5EED), keywords=[], storage_folder="")


def _doi(ds: Dataset) -> str:
    return f"/doi/{ds.doi}"


H5 = "file=scan.h5"


@dataclass(frozen=True)
class PathSpec:
    name: str
    observe: Callable
    expect: Callable[[Case], object]
    api: bool = False  # REST API v1: also asked with HTTP Basic and API token credentials
    scicat: bool = False  # SciCat API: also asked with API tokens and SciCat's login JWT
    write: bool = False  # also asked with a write token


PATHS: list[PathSpec] = [
    PathSpec("dataset page", observe_page, page),
    PathSpec("landing page", get(_doi), landing),
    *[PathSpec(f"export {key}", get(lambda d, k=key: f"{_doi(d)}/export/{k}"), export(key))
      for key in EXPORTS],
    *[PathSpec(f"negotiated {media}",
               get(_doi, HTTP_ACCEPT=media), export(NEGOTIABLE[media]))
      for media in NEGOTIABLE if NEGOTIABLE[media] != "html"],
    PathSpec("linkset.json", get(lambda d: f"{_doi(d)}/linkset.json"), linkset),
    PathSpec("linkset", get(lambda d: f"{_doi(d)}/linkset"), linkset),
    *[PathSpec(f"manifest {kind}", get(lambda d, k=kind: f"{_doi(d)}/{k}"), manifest)
      for kind in MANIFESTS],
    PathSpec("API detail", get(lambda d: f"/api/v1/datasets/{d.pid}"), api_detail, api=True),
    PathSpec("API files", get(lambda d: f"/api/v1/datasets/{d.pid}/files"), api_files, api=True),
    PathSpec("API datacite.xml", get(lambda d: f"/api/v1/datasets/{d.pid}/datacite.xml"),
             api_datacite, api=True),
    PathSpec("API datacite.json", get(lambda d: f"/api/v1/datasets/{d.pid}/datacite.json"),
             api_datacite, api=True),
    PathSpec("API search hits", observe_search_hit, listed, api=True),
    PathSpec("API facet counts", observe_facet, listed, api=True),
    PathSpec("API status facet counts", observe_status_facet, status_facet, api=True),
    PathSpec("search page hits", observe_search_page, listed),
    PathSpec("OAI-PMH GetRecord", observe_get_record, harvested),
    PathSpec("OAI-PMH ListRecords", observe_list_records, harvested),
    PathSpec("PaNOSC dataset", get(lambda d: f"/panosc/api/Datasets/{d.doi}"), panosc_status),
    PathSpec("PaNOSC Documents", observe_panosc_documents, panosc_documents),
    PathSpec("PaNOSC proposal document",
             get(lambda d: "/panosc/api/Documents/" + _panosc_pids(d)[0].replace("/", "%2F")),
             panosc_status),
    PathSpec("file download (bytes)", observe_download, file_bytes),
    PathSpec("HDF5 preview meta", get(lambda d: f"/datasets/{d.pid}/h5grove/meta?{H5}&path=/"),
             preview),
    PathSpec("HDF5 preview data",
             get(lambda d: f"/datasets/{d.pid}/h5grove/data?{H5}&path=/entry/data&format=json"),
             preview),
    PathSpec("admin change page", get(lambda d: f"/admin/catalogue/dataset/{d.pk}/change/"),
             admin_page),
    # ---- the write endpoints of API v1 (catalogue/api/views.py)
    PathSpec("API PATCH record",
             send("patch", lambda d: f"{V1}/{d.pid}", lambda d, w: {"keywords": _keywords(d)},
                  _patched),
             write(200), api=True, write=True),
    PathSpec("API DELETE draft", send("delete", lambda d: f"{V1}/{d.pid}"),
             write(204, drafts_only=True), api=True, write=True),
    PathSpec("API POST files",
             send("post", lambda d: f"{V1}/{d.pid}/files",
                  lambda d, w: {"files": [_file_entry(d, w)]}, _registered),
             write(201, files=True), api=True, write=True),
    PathSpec("API PUT files",
             send("put", lambda d: f"{V1}/{d.pid}/files",
                  lambda d, w: {"files": [_file_entry(d, w)]}, _registered),
             write(200, files=True), api=True, write=True),
    PathSpec("API DELETE file", send("delete", lambda d: f"{V1}/{d.pid}/files?path=scan.h5"),
             write(204, files=True), api=True, write=True),
    PathSpec("API POST new version",
             send("post", lambda d: f"{V1}/{d.pid}/versions", None, _new_draft),
             new_version, api=True, write=True),
    # ---- the SciCat API (scicat/): reads, with the files an embargo closes
    PathSpec("SciCat v3 GET dataset", observe_scicat_read(lambda d: f"{SC3}/{_sc(d)}"),
             lambda c: (api_detail(c), 0), scicat=True),
    PathSpec("SciCat v3 GET origdatablocks",
             observe_scicat_read(lambda d: f"{SC3}/{_sc(d)}/origdatablocks"), scicat_read,
             scicat=True),
    PathSpec("SciCat v4 GET dataset",
             observe_scicat_read(lambda d: f"{SC4}/datasets/{_sc(d)}?include=origdatablocks"),
             scicat_read, scicat=True),
    PathSpec("SciCat v4 GET public dataset",
             observe_scicat_read(
                 lambda d: f"{SC4}/datasets/public/{_sc(d)}?include=origdatablocks"),
             scicat_public, scicat=True),
    # ---- and writes
    PathSpec("SciCat v3 PATCH dataset",
             send("patch", lambda d: f"{SC3}/{_sc(d)}", lambda d, w: {"keywords": _keywords(d)},
                  _sc_patched),
             write(200, scicat=True), scicat=True, write=True),
    PathSpec("SciCat v3 DELETE draft", send("delete", lambda d: f"{SC3}/{_sc(d)}"),
             write(200, drafts_only=True, scicat=True), scicat=True, write=True),
    PathSpec("SciCat v3 POST origdatablocks",
             send("post", lambda d: f"{SC3}/{_sc(d)}/origdatablocks", _datablock, _sc_block),
             write(201, files=True, scicat=True), scicat=True, write=True),
    PathSpec("SciCat v4 POST origdatablocks",
             send("post", lambda d: f"{SC4}/origdatablocks",
                  lambda d, w: _datablock(d, w, with_id=True), _sc_block),
             write(201, files=True, scicat=True), scicat=True, write=True),
    PathSpec("SciCat v3 POST attachment",
             send("post", lambda d: f"{SC3}/{_sc(d)}/attachments",
                  lambda d, w: {"caption": "Matrix", "thumbnail": "data:image/png;base64,AA=="}),
             write(201, scicat=True), scicat=True, write=True),
]  # fmt: skip

# Credentials: a browser session for every role (anonymous: none at all); HTTP Basic as API
# clients send it; a personal API token (portal.ApiToken, ``Authorization: Bearer``) of the
# role's user with the read scope.
CREDENTIALS = {
    "session": lambda spec: True,
    "basic": lambda spec: spec.api,
    "token": lambda spec: spec.api or spec.scicat,
    "write-token": lambda spec: spec.write,
    "scicat-jwt": lambda spec: spec.scicat,
}


def _params():
    for spec in PATHS:
        for credential, applies in CREDENTIALS.items():
            if not applies(spec):
                continue
            for state in STATES:
                for role in ROLES:
                    if credential != "session" and (role == "anonymous" or role in LINK_ROLES):
                        continue  # no account, so no token, password or JWT
                    yield pytest.param(
                        spec, credential,
                        Case(role, state, VISIBILITY[state][role], credential),
                        id=f"{spec.name}-{credential}-{state}-{role}",
                    )  # fmt: skip


CASES = list(_params())


def test_the_matrix_is_big_enough():
    assert len(CASES) >= 1000, len(CASES)
    assert set(VISIBILITY) == set(STATES)
    assert all(set(row) == set(ROLES) for row in VISIBILITY.values())


# ---------------------------------------------------------------- the world (built once)
def _h5_bytes(path, marker: int) -> bytes:
    with h5py.File(path, "w") as handle:
        handle.create_dataset("entry/data", data=np.arange(12, dtype="int32").reshape(3, 4))
        handle["entry"].attrs["marker"] = marker
    return path.read_bytes()


def _build(storage) -> tuple[World, list]:
    created: list = []
    ensure_curators_group()
    suffix = uuid.uuid4().hex[:6]
    owners = GroupFactory(name=f"mx-owners-{suffix}")
    readers = GroupFactory(name=f"mx-readers-{suffix}")
    strangers = GroupFactory(name=f"mx-strangers-{suffix}")
    created += [owners, readers, strangers]
    users = {
        "reader": UserFactory(username=f"mx-reader-{suffix}"),
        "owner": UserFactory(username=f"mx-owner-{suffix}"),
        "other": UserFactory(username=f"mx-other-{suffix}"),
        "staff": UserFactory(username=f"mx-staff-{suffix}", is_staff=True),
        "curator": UserFactory(username=f"mx-curator-{suffix}", is_staff=True),
        "reviewer": UserFactory(username=f"mx-reviewer-{suffix}", is_staff=True),
        "admin": UserFactory(username=f"mx-admin-{suffix}", is_staff=True, is_superuser=True),
    }
    created += list(users.values())
    users["reader"].groups.add(readers)
    users["owner"].groups.add(owners)
    users["other"].groups.add(strangers)
    users["curator"].groups.add(Group.objects.get(name="curators"))
    users["reviewer"].groups.add(Group.objects.get(name=REVIEWERS_GROUP))

    today = timezone.localdate()
    datasets: dict[str, Dataset] = {}
    files: dict[str, bytes] = {}
    # Reviewer-link holders: browsers without an account that open /review/<secret>/.
    link_clients = {role: Client() for role in LINK_ROLES}
    links: dict[str, list[ReviewLink]] = {role: [] for role in LINK_ROLES}

    def open_link(role: str, ds: Dataset, *, anonymous: bool = False) -> None:
        link, secret = review_link_create(dataset=ds, actor=users["owner"],
                                          label=f"matrix {role}", anonymous=anonymous)  # fmt: skip
        response = link_clients[role].get(f"/review/{secret}/")
        assert response.status_code == 302, (role, response.status_code)
        links[role].append(link)

    for i, state in enumerate(STATES):
        facility = Facility.objects.create(code=f"mx{suffix}{i}", name=f"Matrix {suffix} {i}")
        created.append(facility)
        status = state if state in UNPUBLISHED or state == "withdrawn" else "published"
        embargo = {"embargoed": today + datetime.timedelta(days=30),
                   "embargo_over": today - datetime.timedelta(days=1)}.get(state)  # fmt: skip
        ds = DatasetFactory(
            title=f"Matrix record mx{suffix}k{i}",
            facility=facility,
            instrument=None,
            owner_group=owners,
            storage_folder=f"mx-{suffix}-{state}",
            embargo_until=embargo,
        )
        ds.access_groups.add(readers)
        # Its proposal and a paper it supplements: PaNOSC Documents (visible while public).
        proposal = Proposal.objects.create(facility=facility, proposal_id="MX-P",
                                           title=f"Matrix proposal {i}",
                                           principal_investigator="Matrix, Pia")  # fmt: skip
        when = datetime.datetime(2024, 4, 1, tzinfo=datetime.UTC)
        beamtime = Beamtime.objects.create(proposal=proposal, beamtime_id="1", start=when, end=when)
        created += [proposal, beamtime]
        ds.beamtime = beamtime
        ds.save(update_fields=["beamtime"])
        RelatedIdentifier.objects.create(
            dataset=ds, identifier=_panosc_pids(ds)[1], identifier_type="DOI",
            relation_type="IsSupplementTo", citation=f"Matrix paper {i}",
        )  # fmt: skip
        folder = storage / ds.storage_folder
        folder.mkdir(parents=True)
        data = _h5_bytes(folder / "scan.h5", marker=i)
        files[ds.storage_folder] = data
        DataFile.objects.create(
            dataset=ds, path="scan.h5", size=len(data),
            checksum=hashlib.sha256(data).hexdigest(), checksum_algorithm="sha256",
            media_type="application/x-hdf5",
        )  # fmt: skip
        dataset_refresh_file_totals(dataset=ds)
        for role in ("link", "link-revoked", "link-expired"):
            open_link(role, ds)  # before the status is set: a link is opened, then withdrawn
        open_link("link-blind", ds, anonymous=True)
        doi = f"{settings.DATACITE_PREFIX}/mx-{suffix}-{i}"
        extra = {"status": status, "doi": doi}  # a DOI even on drafts
        if status in ("published", "withdrawn"):
            extra["published_at"] = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
        if status == "withdrawn":
            extra["withdrawn_at"] = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
            extra["withdrawal_reason"] = "Wrong calibration."
        AlternateIdentifier.objects.create(
            dataset=ds, identifier=scicat_pid(ds), identifier_type=SCICAT_PID_TYPE
        )
        Dataset.objects.filter(pk=ds.pk).update(**extra)
        ds.refresh_from_db()
        datasets[state] = ds
        created.append(ds)
    # Dead links stay in their holders' sessions; the gate must see through them at once.
    now = timezone.now()
    ReviewLink.objects.filter(pk__in=[x.pk for x in links["link-revoked"]]).update(revoked_at=now)
    ReviewLink.objects.filter(pk__in=[x.pk for x in links["link-expired"]]).update(expires_at=now)
    # link-other holds a live link of a draft that is none of the matrix's records.
    elsewhere = DatasetFactory(title=f"Elsewhere {suffix}", owner_group=owners, instrument=None)
    created += [elsewhere.facility, elsewhere]  # its facility is the factory's: ours to delete too
    open_link("link-other", elsewhere)

    clients: dict[str, dict[str, Client]] = {"session": {"anonymous": Client(), **link_clients}}
    for credential in CREDENTIALS:
        clients.setdefault(credential, {})
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients["session"][role] = client
        basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        clients["basic"][role] = Client(HTTP_AUTHORIZATION=f"Basic {basic}")
        _, secret = api_token_create(owner=user, name="matrix read", scope=ApiToken.Scope.READ)
        clients["token"][role] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        _, secret = api_token_create(owner=user, name="matrix write", scope=ApiToken.Scope.WRITE)
        clients["write-token"][role] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        jwt, _, _ = issue_token(user)  # POST …/auth/login's access_token
        clients["scicat-jwt"][role] = Client(HTTP_AUTHORIZATION=f"Bearer {jwt}")
    return World(datasets=datasets, clients=clients, files=files), created


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    storage = tmp_path_factory.mktemp("matrix-storage")
    base_prefix = settings.ELASTICSEARCH_INDEX_PREFIX
    use_es = settings.SEARCH_BACKEND == "elasticsearch"
    with django_db_blocker.unblock():
        settings.STORAGE_ROOT = storage
        ensure_curators_group()  # shared groups, kept: counted before, as they stay
        before = _row_counts()
        built, created = _build(storage)
        built.storage = storage
        built.index_prefix = base_prefix
        if use_es:
            from catalogue.search.indexing import ensure_index, index_datasets

            settings.ELASTICSEARCH_INDEX_PREFIX = built.index_prefix = f"{base_prefix}-matrix"
            ensure_index()
            index_datasets(dataset_ids=[d.pk for d in built.datasets.values()], refresh=True)
            from panosc import index as panosc_index

            panosc_index.rebuild()  # the PaNOSC Documents, as `manage.py reindex` builds them
        try:
            yield built
        finally:
            if use_es:
                from catalogue.search.indexing import drop_index
                from panosc import index as panosc_index

                drop_index()
                panosc_index.drop()
                settings.ELASTICSEARCH_INDEX_PREFIX = base_prefix
            Session.objects.all().delete()
            for obj in reversed(created):
                type(obj).objects.filter(pk=obj.pk).delete()
            cache.clear()
            # The world is committed, not rolled back: whatever it leaves shows up in the
            # pages of the tests that run after this module (a stray facility on the home page).
            assert _row_counts() == before, "the matrix's world left rows behind"


def _row_counts() -> dict[str, int]:
    from django.contrib.auth import get_user_model

    models = (Facility, Dataset, DataFile, Proposal, Beamtime, Group, get_user_model(), ReviewLink)
    return {model.__name__: model.objects.count() for model in models}


@pytest.fixture(autouse=True)
def _matrix_settings(settings, world):
    """Each test reads the world's storage folder and index, not the per-test ones."""
    settings.STORAGE_ROOT = world.storage
    settings.ELASTICSEARCH_INDEX_PREFIX = world.index_prefix


def _fingerprint(world: World) -> dict:
    """What the writes of the matrix must leave as it was (each case rolls back)."""
    from catalogue.models import DatasetEvent
    from scicat.models import ScicatAttachment, ScicatRecord

    ids = [d.pk for d in world.datasets.values()]
    return {
        "datasets": sorted(
            Dataset.objects.filter(pk__in=ids).values_list(
                "pk", "status", "keywords", "file_count", "updated_at"
            )
        ),
        "files": sorted(DataFile.objects.filter(dataset_id__in=ids).values_list("path", "size")),
        "events": DatasetEvent.objects.filter(dataset_id__in=ids).count(),
        "scicat": ScicatRecord.objects.filter(dataset_id__in=ids).count()
        + ScicatAttachment.objects.filter(dataset_id__in=ids).count(),
    }


@pytest.fixture(scope="module")
def world_as_built(world, django_db_blocker):
    with django_db_blocker.unblock():
        return _fingerprint(world)


@pytest.mark.parametrize(("spec", "credential", "case"), CASES)
def test_access_matrix(world, world_as_built, spec, credential, case):
    client = world.clients[credential][case.role]
    ds = world.datasets[case.state]
    observed = spec.observe(client, ds, world)
    assert observed == spec.expect(case), (
        f"{spec.name} as {case.role} ({credential}) on a {case.state} dataset: "
        f"got {observed!r}, the table says {spec.expect(case)!r} (knows: {case.knows})"
    )


def test_the_writes_left_the_world_as_built(world, world_as_built):
    """Runs after the matrix (file order): every write of it was undone by its rollback."""
    assert _fingerprint(world) == world_as_built
