"""The writable REST API v1: datasets (list, POST, PATCH, DELETE), files, context, keys."""

import json

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from catalogue.models import DataFile, Dataset, DatasetEvent, Proposal, Status
from portal.tokens import api_token_create
from tests.factories import (
    BeamtimeFactory,
    FacilityFactory,
    GroupFactory,
    InstrumentFactory,
    ProposalFactory,
    UserFactory,
    make_dataset,
    technique,
)

pytestmark = pytest.mark.django_db

SHA = "ab" * 32


class Api:
    """A client sending JSON with a Bearer token."""

    def __init__(self, user, scope="write"):
        self.user = user
        _, self.secret = api_token_create(owner=user, name="test", scope=scope)
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {self.secret}")

    def __getattr__(self, method):
        def call(path, body=None, **headers):
            kwargs = {"content_type": "application/json"}
            if body is not None:
                kwargs["data"] = body if isinstance(body, (str, bytes)) else json.dumps(body)
            return getattr(self.client, method)(path, **kwargs, **headers)

        return call


@pytest.fixture
def group():
    return GroupFactory(name="p-1001")


@pytest.fixture
def owner(group):
    user = UserFactory(username="owner")
    user.groups.add(group)
    return Api(user)


@pytest.fixture
def instrument():
    return InstrumentFactory(code="p03", facility=FacilityFactory(code="petra3"))


def new_body(**extra):
    body = {
        "title": "SAXS of lysozyme",
        "description": "Raw frames.",
        "creators": [{"name": "Okafor, Amara", "orcid": "0000-0002-1825-0097"}],
        "techniques": ["PaNET01188"],
        "instrument": "p03",
        "owner_group": "p-1001",
        "storage_folder": "p03/2024/lyso",
        "keywords": ["saxs"],
        "scientific_metadata": {"temperature": {"value": 293, "unit": "K"}},
    }
    body.update(extra)
    return body


def test_post_creates_a_draft_201_location_and_get_shape(owner, instrument):
    response = owner.post("/api/v1/datasets", new_body())
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "draft" and body["title"] == "SAXS of lysozyme"
    assert response["Location"].endswith(f"/api/v1/datasets/{body['pid']}")
    assert body["owner_group"] == "p-1001" and body["storage_folder"] == "p03/2024/lyso"
    assert body["techniques"][0]["panet_id"] == "PaNET01188"
    got = owner.get(f"/api/v1/datasets/{body['pid']}")
    assert got.json() == body
    assert got["ETag"] == response["ETag"]


def test_get_body_sent_back_changes_nothing_read_only_ignored(owner, instrument):
    body = owner.post("/api/v1/datasets", new_body()).json()
    body["file_count"] = 99
    body["status"] = "published"
    response = owner.patch(f"/api/v1/datasets/{body['pid']}", body)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "draft" and response.json()["file_count"] == 0


def test_unknown_fields_and_bad_values_are_400_naming_the_field(owner, instrument):
    response = owner.post("/api/v1/datasets", new_body(colour="red"))
    assert response.status_code == 400 and "colour" in response.json()["errors"]
    response = owner.post("/api/v1/datasets", new_body(techniques=["PaNET99999"]))
    assert "techniques[0]" in response.json()["errors"]
    bad_orcid = new_body(creators=[{"name": "X", "orcid": "0000-0000-0000-0000"}])
    assert "creators[0].orcid" in owner.post("/api/v1/datasets", bad_orcid).json()["errors"]
    assert Dataset.objects.count() == 0


@pytest.mark.parametrize(
    ("body", "status"),
    [("{not json", 400), ("[1, 2]", 400), ('{"title": "a\\u0000b"}', 400), ('"text"', 400)],
)
def test_malformed_bodies_are_400_json(owner, body, status):
    response = owner.post("/api/v1/datasets", body)
    assert response.status_code == status
    assert response.json()
    assert Dataset.objects.count() == 0


def test_owner_group_must_be_one_of_mine(owner, instrument):
    GroupFactory(name="someone-else")
    response = owner.post("/api/v1/datasets", new_body(owner_group="someone-else"))
    assert response.status_code == 400 and "owner_group" in response.json()["errors"]


def test_body_over_the_limit_is_413(owner, settings):
    settings.API_MAX_BODY_BYTES = 1000
    response = owner.post("/api/v1/datasets", new_body(description="x" * 2000))
    assert response.status_code == 413 and response.json()["detail"]


def test_patch_with_stale_etag_or_date_is_412_and_writes_nothing(owner, instrument):
    created = owner.post("/api/v1/datasets", new_body())
    pid, tag = created.json()["pid"], created["ETag"]
    first = owner.patch(f"/api/v1/datasets/{pid}", {"title": "One"}, HTTP_IF_MATCH=tag)
    assert first.status_code == 200 and first["ETag"] != tag
    stale = owner.patch(f"/api/v1/datasets/{pid}", {"title": "Two"}, HTTP_IF_MATCH=tag)
    assert stale.status_code == 412
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    stale = owner.patch(f"/api/v1/datasets/{pid}", {"title": "Two"}, HTTP_IF_UNMODIFIED_SINCE=old)
    assert stale.status_code == 412
    assert Dataset.objects.get(pid=pid).title == "One"


def test_delete_removes_drafts_only(owner, group):
    draft = make_dataset(owner_group=group)
    published = make_dataset(status=Status.PUBLISHED, owner_group=group)
    assert owner.delete(f"/api/v1/datasets/{draft.pid}").status_code == 204
    assert not Dataset.objects.filter(pk=draft.pk).exists()
    response = owner.delete(f"/api/v1/datasets/{published.pid}")
    assert response.status_code == 400 and "status" in response.json()["errors"]


def test_access_group_readers_may_not_edit_and_strangers_get_404(group):
    reader_group = GroupFactory()
    ds = make_dataset(owner_group=group)
    ds.access_groups.add(reader_group)
    reader = UserFactory()
    reader.groups.add(reader_group)
    response = Api(reader).patch(f"/api/v1/datasets/{ds.pid}", {"title": "x"})
    assert response.status_code == 403
    body = Api(reader).get(f"/api/v1/datasets/{ds.pid}").json()
    assert "owner_group" not in body and "storage_folder" not in body
    assert Api(UserFactory()).patch(f"/api/v1/datasets/{ds.pid}", {"title": "x"}).status_code == 404


def test_edit_of_a_published_record_is_audited(owner, group):
    ds = make_dataset(status=Status.PUBLISHED, owner_group=group)
    response = owner.patch(f"/api/v1/datasets/{ds.pid}", {"keywords": ["new"]})
    assert response.status_code == 200
    event = DatasetEvent.objects.get(dataset=ds, kind="edit")
    assert event.changed_fields == ["keywords"] and event.actor == owner.user


def test_list_shows_only_what_the_gate_shows_with_filters_and_cursor(owner, group):
    mine = make_dataset(owner_group=group)
    public = make_dataset(status=Status.PUBLISHED)
    hidden = make_dataset()
    public.techniques.add(technique())
    anon = Client().get("/api/v1/datasets").json()
    assert [d["pid"] for d in anon["results"]] == [str(public.pid)]
    pids = {d["pid"] for d in owner.get("/api/v1/datasets").json()["results"]}
    assert pids == {str(mine.pid), str(public.pid)} and str(hidden.pid) not in pids
    by_status = owner.get("/api/v1/datasets?status=draft").json()["results"]
    assert [d["pid"] for d in by_status] == [str(mine.pid)]
    by_technique = owner.get("/api/v1/datasets?technique=PaNET01188").json()["results"]
    assert [d["pid"] for d in by_technique] == [str(public.pid)]
    by_doi = owner.get(f"/api/v1/datasets?identifier=https://doi.org/{public.doi}").json()
    assert [d["pid"] for d in by_doi["results"]] == [str(public.pid)]
    first = owner.get("/api/v1/datasets?page_size=1").json()
    second = owner.client.get(first["next"]).json()
    assert {first["results"][0]["pid"], second["results"][0]["pid"]} == pids


def test_list_by_alternate_identifier(owner, instrument):
    body = new_body(
        alternate_identifiers=[{"identifier": "20.500.12269/abc", "type": "SciCat PID"}]
    )
    pid = owner.post("/api/v1/datasets", body).json()["pid"]
    found = owner.get("/api/v1/datasets?identifier=20.500.12269/abc").json()["results"]
    assert [d["pid"] for d in found] == [pid]


def test_idempotency_key_returns_the_first_answer(owner, instrument):
    first = owner.post("/api/v1/datasets", new_body(), HTTP_IDEMPOTENCY_KEY="run-42")
    again = owner.post("/api/v1/datasets", new_body(), HTTP_IDEMPOTENCY_KEY="run-42")
    assert first.status_code == again.status_code == 201
    assert again.json()["pid"] == first.json()["pid"] and again["Location"] == first["Location"]
    assert Dataset.objects.count() == 1
    other = owner.post("/api/v1/datasets", new_body(title="Other"), HTTP_IDEMPOTENCY_KEY="run-42")
    assert other.status_code == 422


def files(n, prefix="raw/frame"):
    return [{"path": f"{prefix}_{i:05d}.h5", "size": 10 + i, "checksum": SHA} for i in range(n)]


def test_files_post_put_delete(owner, group):
    ds = make_dataset(owner_group=group)
    url = f"/api/v1/datasets/{ds.pid}/files"
    response = owner.post(url, {"files": files(3)})
    assert response.status_code == 201, response.content
    assert response.json()["file_count"] == 3
    listing = owner.get(url).json()
    assert listing["count"] == 3 and listing["results"][0]["checksum"] == "sha256:" + SHA
    response = owner.put(url, {"files": files(2, prefix="new")})
    assert response.status_code == 200 and response.json()["file_count"] == 2
    assert owner.delete(f"{url}?path=new_00000.h5").status_code == 204
    assert list(DataFile.objects.filter(dataset=ds).values_list("path", flat=True)) == [
        "new_00001.h5"
    ]
    assert owner.delete(f"{url}?path=nope.h5").status_code == 400


@pytest.mark.parametrize(
    "path", ["../etc/passwd", "/abs/path", "a\\b", "a\x00b", "a\x07b", "a/../b"]
)
def test_bad_file_paths_are_400_naming_the_entry_and_nothing_written(owner, group, path):
    ds = make_dataset(owner_group=group)
    entries = [*files(2), {"path": path, "size": 1}]
    response = owner.post(f"/api/v1/datasets/{ds.pid}/files", {"files": entries})
    assert response.status_code == 400
    assert "files[2].path" in response.json()["errors"]
    assert not DataFile.objects.filter(dataset=ds).exists()


def test_duplicate_paths_and_too_many_files_are_400(owner, group):
    ds = make_dataset(owner_group=group)
    url = f"/api/v1/datasets/{ds.pid}/files"
    dup = owner.post(url, {"files": [*files(2), files(1)[0]]})
    assert dup.status_code == 400 and "files[2].path" in dup.json()["errors"]
    many = owner.post(url, {"files": files(10_001)})
    assert many.status_code == 400 and "files" in many.json()["errors"]
    assert not DataFile.objects.filter(dataset=ds).exists()


def test_files_of_a_published_record_are_locked(owner, group):
    ds = make_dataset(status=Status.PUBLISHED, owner_group=group)
    response = owner.post(f"/api/v1/datasets/{ds.pid}/files", {"files": files(1)})
    assert response.status_code == 400 and "files" in response.json()["errors"]


def test_verify_checks_sizes_against_storage(owner, group, settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    (tmp_path / "ds" / "raw").mkdir(parents=True)
    (tmp_path / "ds" / "raw" / "a.h5").write_bytes(b"12345")
    ds = make_dataset(owner_group=group, storage_folder="ds")
    url = f"/api/v1/datasets/{ds.pid}/files?verify=1"
    wrong = owner.post(url, {"files": [{"path": "raw/a.h5", "size": 4}]})
    assert wrong.status_code == 400 and "files[0].size" in wrong.json()["errors"]
    missing = owner.post(url, {"files": [{"path": "raw/b.h5", "size": 4}]})
    assert "files[0].path" in missing.json()["errors"]
    import hashlib

    digest = hashlib.sha256(b"12345").hexdigest()
    ok = owner.post(url, {"files": [{"path": "raw/a.h5", "size": 5, "checksum": digest}]})
    assert ok.status_code == 201 and ok.json()["verify"] == {"sizes": "ok", "checksums": "queued"}


def test_ingestors_and_curators_write_proposals_and_beamtimes(settings, instrument):
    ingestors = Group.objects.create(name=settings.INGESTOR_GROUP)
    ingestor = UserFactory()
    ingestor.groups.add(ingestors)
    api = Api(ingestor)
    body = {"facility": "petra3", "proposal_id": "I-2024-1", "title": "Lysozyme"}
    response = api.post("/api/v1/proposals", body)
    assert response.status_code == 201, response.content
    assert (
        Api(UserFactory()).post("/api/v1/proposals", {**body, "proposal_id": "x"}).status_code
        == 403
    )
    patched = api.patch("/api/v1/proposals/petra3/I-2024-1", {"title": "Lysozyme II"})
    assert patched.json()["title"] == "Lysozyme II"
    assert api.post("/api/v1/proposals", body).status_code == 400  # twice: named duplicate
    beamtime = {"facility": "petra3", "proposal_id": "I-2024-1", "beamtime_id": "11012345",
                "instrument": "p03", "start": "2024-03-01T08:00:00Z",
                "end": "2024-02-01T08:00:00Z"}  # fmt: skip
    backwards = api.post("/api/v1/beamtimes", beamtime)
    assert backwards.status_code == 400 and "end" in backwards.json()["errors"]
    beamtime["end"] = "2024-03-04T08:00:00Z"
    created = api.post("/api/v1/beamtimes", beamtime)
    assert created.status_code == 201, created.content
    assert (
        Client().get(f"/api/v1/beamtimes/{created.json()['id']}").json()["beamtime_id"]
        == "11012345"
    )
    assert Proposal.objects.get(proposal_id="I-2024-1").beamtimes.count() == 1


def test_context_read_endpoints(instrument):
    BeamtimeFactory(proposal=ProposalFactory(facility=instrument.facility))
    client = Client()
    assert client.get("/api/v1/facilities").json()[0]["code"] == "petra3"
    assert client.get("/api/v1/instruments/p03").json()["facility"] == "petra3"
    assert client.get("/api/v1/instruments/none").status_code == 404
    saxs = client.get("/api/v1/techniques?q=small angle x-ray").json()
    assert any(t["panet_id"] == "PaNET01188" for t in saxs)
    assert len(client.get("/api/v1/proposals").json()["results"]) == 1
    assert len(client.get("/api/v1/beamtimes?facility=petra3").json()["results"]) == 1


def test_schema_and_docs_are_served_without_a_cdn():
    client = Client()
    schema = client.get("/api/v1/schema?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ("/api/v1/datasets", "/api/v1/datasets/{pid}", "/api/v1/datasets/{pid}/files",
                 "/api/v1/search", "/api/v1/me", "/api/v1/proposals"):  # fmt: skip
        assert path in paths
    docs = client.get("/api/v1/docs").content.decode()
    assert "cdn" not in docs.lower() and "/static/drf_spectacular_sidecar/" in docs
