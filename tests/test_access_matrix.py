"""The access matrix on every path (issue 11 §4): roles x dataset states x paths, generated.

One table says what each role may know of a dataset in each state (``VISIBILITY``); one table
of paths says what each path answers for each kind of knowledge (``PATHS``). The parametrised
test below requests every combination against one world of real records, real files on disk
(downloads, manifests and the HDF5 preview read them) and a real search index, so no path can
drift from the gate. A dataset one must not know of is 404 everywhere (410 for a tombstone the
user may know of), never a 403 that reveals it.

Adding a path is one entry in ``PATHS``; adding a role is one entry in ``ROLES`` and a column
in ``VISIBILITY``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
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

from catalogue.models import DataFile, Dataset, Facility
from catalogue.roles import REVIEWERS_GROUP, ensure_curators_group
from catalogue.services.files import dataset_refresh_file_totals
from landing.exports import EXPORTS, NEGOTIABLE, WITHDRAWN_EXPORTS
from landing.views import MANIFESTS
from portal.models import ApiToken
from portal.tokens import api_token_create
from tests.factories import DatasetFactory, GroupFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

PASSWORD = "pw-for-tests"

# ---------------------------------------------------------------- the one table of knowledge
# none: may not know it exists (404) · meta: the record, files closed (embargo) · full: record
# and files · tomb: a withdrawn record known to this user (410) · all: a curator's full view,
# tombstones included.
STATES = [
    "draft", "submitted", "in_review", "changes_requested", "approved",
    "published", "embargoed", "embargo_over", "withdrawn",
]  # fmt: skip
UNPUBLISHED = STATES[:5]
ROLES = ["anonymous", "reader", "owner", "other", "staff", "curator", "reviewer", "admin"]
CURATING = {"curator", "reviewer", "admin"}

_UNPUB = {"anonymous": "none", "reader": "full", "owner": "full", "other": "none",
          "staff": "none", "curator": "all", "reviewer": "all", "admin": "all"}  # fmt: skip
VISIBILITY: dict[str, dict[str, str]] = {
    **{state: _UNPUB for state in UNPUBLISHED},
    "published": {role: ("all" if role in CURATING else "full") for role in ROLES},
    "embargoed": {role: ("all" if role in CURATING else
                         "full" if role in ("reader", "owner") else "meta") for role in ROLES},
    "embargo_over": {role: ("all" if role in CURATING else "full") for role in ROLES},
    # Withdrawn after publication: a tombstone for everybody, the curators' view for curators.
    "withdrawn": {role: ("all" if role in CURATING else "tomb") for role in ROLES},
}  # fmt: skip


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
        return self.knows in ("full", "all")

    @property
    def reads_record(self) -> bool:
        return self.knows in ("meta", "full", "all")


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
    return {"none": 404, "meta": 200, "full": 200, "tomb": 410, "all": 200}[case.knows]


def api_datacite(case: Case) -> int:
    # DataCite keeps the metadata of tombstoned DOIs, so the API serves it too.
    return 404 if case.knows == "none" else 200


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
    """In search hits and facet counts: readable records, never withdrawn ones."""
    return case.reads_record and not case.withdrawn


def harvested(case: Case) -> str:
    """OAI-PMH is public: the same for every role, a deleted record for a withdrawal."""
    if not case.public_record:
        return "idDoesNotExist"
    return "deleted" if case.withdrawn else "record"


def admin_page(case: Case) -> int:
    if case.role in CURATING:
        return 200
    if case.role == "staff":
        return 404  # the admin's door opens, but the role table gives no dataset
    return 302  # to the admin log-in, whatever the dataset


# ---------------------------------------------------------------- observations per path
@dataclass
class World:
    datasets: dict[str, Dataset]
    clients: dict[str, dict[str, Client]]  # credential -> role -> client
    files: dict[str, bytes] = field(default_factory=dict)
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


def _doi(ds: Dataset) -> str:
    return f"/doi/{ds.doi}"


H5 = "file=scan.h5"


@dataclass(frozen=True)
class PathSpec:
    name: str
    observe: Callable
    expect: Callable[[Case], object]
    api: bool = False  # REST API v1: also asked with HTTP Basic and API token credentials


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
    PathSpec("search page hits", observe_search_page, listed),
    PathSpec("OAI-PMH GetRecord", observe_get_record, harvested),
    PathSpec("OAI-PMH ListRecords", observe_list_records, harvested),
    PathSpec("file download (bytes)", observe_download, file_bytes),
    PathSpec("HDF5 preview meta", get(lambda d: f"/datasets/{d.pid}/h5grove/meta?{H5}&path=/"),
             preview),
    PathSpec("HDF5 preview data",
             get(lambda d: f"/datasets/{d.pid}/h5grove/data?{H5}&path=/entry/data&format=json"),
             preview),
    PathSpec("admin change page", get(lambda d: f"/admin/catalogue/dataset/{d.pk}/change/"),
             admin_page),
]  # fmt: skip

# Credentials: a browser session for every role (anonymous: none at all); HTTP Basic as API
# clients send it; a personal API token (portal.ApiToken, ``Authorization: Bearer``) of the
# role's user with the read scope.
CREDENTIALS = {
    "session": lambda spec: True,
    "basic": lambda spec: spec.api,
    "token": lambda spec: spec.api,
}


def _params():
    for spec in PATHS:
        for credential, applies in CREDENTIALS.items():
            if not applies(spec):
                continue
            for state in STATES:
                for role in ROLES:
                    if credential != "session" and role == "anonymous":
                        continue
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
        extra = {"status": status, "doi": f"10.5072/mx-{suffix}-{i}"}  # a DOI even on drafts
        if status in ("published", "withdrawn"):
            extra["published_at"] = datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC)
        if status == "withdrawn":
            extra["withdrawn_at"] = datetime.datetime(2025, 1, 1, tzinfo=datetime.UTC)
            extra["withdrawal_reason"] = "Wrong calibration."
        Dataset.objects.filter(pk=ds.pk).update(**extra)
        ds.refresh_from_db()
        datasets[state] = ds
        created.append(ds)

    clients: dict[str, dict[str, Client]] = {"session": {"anonymous": Client()}, "basic": {},
                                             "token": {}}  # fmt: skip
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        clients["session"][role] = client
        basic = base64.b64encode(f"{user.username}:{PASSWORD}".encode()).decode()
        clients["basic"][role] = Client(HTTP_AUTHORIZATION=f"Basic {basic}")
        _, secret = api_token_create(owner=user, name="matrix read", scope=ApiToken.Scope.READ)
        clients["token"][role] = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return World(datasets=datasets, clients=clients, files=files), created


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    storage = tmp_path_factory.mktemp("matrix-storage")
    base_prefix = settings.ELASTICSEARCH_INDEX_PREFIX
    use_es = settings.SEARCH_BACKEND == "elasticsearch"
    with django_db_blocker.unblock():
        settings.STORAGE_ROOT = storage
        built, created = _build(storage)
        built.storage = storage
        built.index_prefix = base_prefix
        if use_es:
            from catalogue.search.indexing import ensure_index, index_datasets

            settings.ELASTICSEARCH_INDEX_PREFIX = built.index_prefix = f"{base_prefix}-matrix"
            ensure_index()
            index_datasets(dataset_ids=[d.pk for d in built.datasets.values()], refresh=True)
        try:
            yield built
        finally:
            if use_es:
                from catalogue.search.indexing import drop_index

                drop_index()
                settings.ELASTICSEARCH_INDEX_PREFIX = base_prefix
            Session.objects.all().delete()
            for obj in reversed(created):
                type(obj).objects.filter(pk=obj.pk).delete()
            cache.clear()


@pytest.fixture(autouse=True)
def _matrix_settings(settings, world):
    """Each test reads the world's storage folder and index, not the per-test ones."""
    settings.STORAGE_ROOT = world.storage
    settings.ELASTICSEARCH_INDEX_PREFIX = world.index_prefix


@pytest.mark.parametrize(("spec", "credential", "case"), CASES)
def test_access_matrix(world, spec, credential, case):
    client = world.clients[credential][case.role]
    ds = world.datasets[case.state]
    observed = spec.observe(client, ds, world)
    assert observed == spec.expect(case), (
        f"{spec.name} as {case.role} ({credential}) on a {case.state} dataset: "
        f"got {observed!r}, the table says {spec.expect(case)!r} (knows: {case.knows})"
    )
