"""The SciCat API's answers: auth, bad input (4xx naming the field, nothing written), pids
with %2F, v3 and v4 paths, case-insensitive collections, the access gate."""

import jwt
import pytest
from django.test import Client

from catalogue.models import Dataset, Status
from scicat.models import ScicatRecord
from tests.factories import GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

RAW = {
    "pid": "PID.prefix/0f3c-raw",
    "type": "raw",
    "datasetName": "A raw dataset",
    "owner": "Jane Doe",
    "contactEmail": "jane@example.org",
    "principalInvestigator": "Jane Doe",
    "creationLocation": "somewhere",
    "creationTime": "2024-01-01T00:00:00Z",
    "sourceFolder": "/data/raw",
    "ownerGroup": "owners",
}


@pytest.fixture
def owner():
    user = UserFactory(username="owner")
    user.set_password("owner-pw")
    user.save()
    user.groups.add(GroupFactory(name="owners"))
    return user


def _token(username="owner", password="owner-pw") -> str:  # noqa: S107  test accounts
    response = Client().post(
        "/scicat/api/v3/auth/login",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def api(owner):
    return Client(headers={"Authorization": f"Bearer {_token()}"})


def test_login_answers_a_jwt_with_exp(owner, settings):
    body = (
        Client()
        .post(
            "/scicat/api/v3/auth/login",
            {"username": "owner", "password": "owner-pw"},
            content_type="application/json",
        )
        .json()
    )
    assert body["access_token"] == body["id"]
    assert body["expires_in"] == settings.SCICAT_TOKEN_LIFETIME_SECONDS
    assert body["user"]["username"] == "owner"
    claims = jwt.decode(body["id"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == settings.SCICAT_TOKEN_LIFETIME_SECONDS
    bad = Client().post(
        "/scicat/api/v3/auth/login",
        {"username": "owner", "password": "wrong"},
        content_type="application/json",
    )
    assert bad.status_code == 401


def test_writes_need_a_valid_token_before_any_lookup(owner, settings):
    anonymous = Client()
    assert anonymous.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")\
        .status_code == 401  # fmt: skip
    forged = Client(headers={"Authorization": "Bearer not-a-token"})
    response = forged.patch("/scicat/api/v3/Datasets/nothing%2Fhere", {},
                            content_type="application/json")  # fmt: skip
    assert response.status_code == 401
    assert "not valid" in response.json()["message"]
    claims = {"sub": str(owner.pk), "aud": "scicat-api", "exp": 1}
    expired = jwt.encode(claims, settings.SECRET_KEY, algorithm="HS256")
    response = Client().get(f"/scicat/api/v3/Datasets?access_token={expired}")
    assert response.status_code == 401 and "expired" in response.json()["message"]
    assert not Dataset.objects.exists()


def test_access_token_query_parameter_works(owner):
    token = _token()
    response = Client().post(
        f"/scicat/api/v3/Datasets?access_token={token}", RAW, content_type="application/json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize("collection", ["Datasets", "datasets", "DATASETS"])
def test_v3_collections_are_case_insensitive_and_pids_take_slashes(api, collection):
    response = api.post(f"/scicat/api/v3/{collection}", RAW, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["pid"] == "PID.prefix/0f3c-raw"
    got = api.get(f"/scicat/api/v3/{collection}/PID.prefix%2F0f3c-raw")
    assert got.status_code == 200 and got.json()["datasetName"] == "A raw dataset"
    assert got.json()["principalInvestigator"] == "Jane Doe"
    blocks = api.post(
        f"/scicat/api/v3/{collection}/PID.prefix%2F0f3c-raw/origdatablocks",
        {"size": 1, "dataFileList": [{"path": "a.h5", "size": 1, "time": "2024-01-01T00:00:00Z"}]},
        content_type="application/json",
    )
    assert blocks.status_code == 201, blocks.content
    listed = api.get(f"/scicat/api/v3/{collection}/PID.prefix%2F0f3c-raw/origdatablocks").json()
    assert listed[0]["dataFileList"][0]["path"] == "a.h5"


def test_v4_create_is_valid_get_include_and_public(api):
    v4 = {k: v for k, v in RAW.items() if k not in ("principalInvestigator", "pid")}
    v4["principalInvestigators"] = ["Jane Doe"]
    valid = api.post("/scicat/api/v4/datasets/isValid", v4, content_type="application/json")
    assert valid.json() == {"valid": True}
    assert not Dataset.objects.exists()  # isValid writes nothing
    invalid = api.post("/scicat/api/v4/datasets/isValid", {**v4, "colour": "red"},
                       content_type="application/json")  # fmt: skip
    assert invalid.json()["valid"] is False
    created = api.post("/scicat/api/v4/datasets", v4, content_type="application/json").json()
    pid = created["pid"]
    assert pid.startswith("portal/") and created["principalInvestigators"] == ["Jane Doe"]
    block = api.post("/scicat/api/v4/origdatablocks", {"datasetId": pid, "size": 2,
                     "dataFileList": [{"path": "b.h5", "size": 2, "time": "2024-01-01T00:00:00Z"}]},
                     content_type="application/json")  # fmt: skip
    assert block.status_code == 201 and block.json()["ownerGroup"] == "owners"
    quoted = pid.replace("/", "%2F")
    got = api.get(f"/scicat/api/v4/datasets/{quoted}?include=origdatablocks&include=attachments")
    body = got.json()
    assert body["size"] == 2 and body["numberOfFiles"] == 1
    assert body["origdatablocks"][0]["dataFileList"][0]["path"] == "b.h5"
    assert body["attachments"] == []
    # A draft is not public.
    assert Client().get(f"/scicat/api/v4/datasets/public/{quoted}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"ownerGroup": None}, "ownerGroup"),
        ({"keywords": "not-a-list"}, "keywords"),
        ({"techniques": [{"pid": "PaNET99999", "name": "x"}]}, "techniques[0]"),
        ({"startTime": "yesterday"}, "startTime"),
        ({"orcidOfOwner": "0000-0000-0000-0000"}, "orcidOfOwner"),
        ({"ownerGroup": "not-mine"}, "ownerGroup"),
        ({"type": "processed"}, "type"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api, change, field):
    GroupFactory(name="not-mine")
    response = api.post("/scicat/api/v3/Datasets", {**RAW, **change},
                        content_type="application/json")  # fmt: skip
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]
    assert not Dataset.objects.exists() and not ScicatRecord.objects.exists()


def test_malformed_json_duplicate_pid_and_bad_files(api):
    assert api.post("/scicat/api/v3/Datasets", "{", content_type="application/json")\
        .status_code == 400  # fmt: skip
    assert api.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")\
        .status_code == 201  # fmt: skip
    again = api.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")
    assert again.status_code == 409
    bad = api.post(
        "/scicat/api/v3/Datasets/PID.prefix%2F0f3c-raw/origdatablocks",
        {"size": 2, "dataFileList": [{"path": "ok.h5", "size": 1}, {"path": "../etc", "size": 1}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "dataFileList[1].path" in bad.json()["errors"]
    assert not Dataset.objects.get().files.exists()


def test_pyscicat_style_full_patch_and_type_change(api):
    api.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")
    url = "/scicat/api/v3/Datasets/PID.prefix%2F0f3c-raw"
    same = api.patch(url, {**RAW, "datasetName": "Renamed", "runNumber": "42"},
                     content_type="application/json")  # fmt: skip
    assert same.status_code == 200 and same.json()["datasetName"] == "Renamed"
    assert same.json()["runNumber"] == "42"
    assert Dataset.objects.get().title == "Renamed"
    assert api.patch(url, {"type": "derived"}, content_type="application/json").status_code == 400
    assert api.patch(url, {"pid": "other"}, content_type="application/json").status_code == 400


def test_the_gate_decides_reads_and_writes(api, owner):
    api.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")
    url = "/scicat/api/v3/Datasets/PID.prefix%2F0f3c-raw"
    assert Client().get(url).status_code == 404  # a draft: nobody else knows it exists
    reader = UserFactory(username="reader")
    reader.set_password("reader-pw")
    reader.save()
    group = GroupFactory(name="readers")
    reader.groups.add(group)
    Dataset.objects.get().access_groups.add(group)
    as_reader = Client(headers={"Authorization": f"Bearer {_token('reader', 'reader-pw')}"})
    assert as_reader.get(url).status_code == 200
    assert as_reader.patch(url, {"datasetName": "x"}, content_type="application/json")\
        .status_code == 403  # fmt: skip
    published = make_dataset(status=Status.PUBLISHED, title="Public one")
    listed = Client().get("/scicat/api/v3/Datasets").json()
    assert [d["pid"] for d in listed] == [str(published.pid)]
    assert Client().get(f"/scicat/api/v4/datasets/public/{published.pid}").status_code == 200


def test_instruments_proposals_samples_attachments(api):
    from tests.factories import BeamtimeFactory, InstrumentFactory

    inst = InstrumentFactory(code="id02", name="ID02 SAXS", pid="20.500.12345/id02")
    BeamtimeFactory(instrument=inst)
    assert api.get("/scicat/api/v3/Instruments/20.500.12345%2Fid02").json()["name"] == "ID02 SAXS"
    assert api.get("/scicat/api/v3/instruments/id02").json()["uniqueName"] == "id02"
    sample = api.post("/scicat/api/v3/Samples", {"sampleId": "s-1", "ownerGroup": "owners",
                      "description": "buffer"}, content_type="application/json")  # fmt: skip
    assert sample.status_code == 201
    assert api.get("/scicat/api/v3/Samples/s-1").json()["description"] == "buffer"
    assert Client().get("/scicat/api/v3/Samples/s-1").status_code == 404
    api.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")
    att = api.post("/scicat/api/v4/attachments", {"caption": "thumb", "ownerGroup": "owners",
                   "thumbnail": "data:image/png;base64,AAAA", "relationships": [
                       {"targetId": RAW["pid"], "targetType": "dataset"}]},
                   content_type="application/json")  # fmt: skip
    assert att.status_code == 201 and att.json()["aid"]
    got = api.get("/scicat/api/v4/datasets/PID.prefix%2F0f3c-raw?include=attachments").json()
    assert got["attachments"][0]["thumbnail"] == "data:image/png;base64,AAAA"


def test_portal_api_tokens_work_as_bearer_with_their_scope(owner):
    from portal.tokens import api_token_create

    read_secret = api_token_create(owner=owner, name="read", scope="read")[1]
    write_secret = api_token_create(owner=owner, name="write", scope="write")[1]
    reader = Client(headers={"Authorization": f"Bearer {read_secret}"})
    assert reader.get("/scicat/api/v3/Datasets").status_code == 200
    refused = reader.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")
    assert refused.status_code == 403 and not Dataset.objects.exists()
    writer = Client(headers={"Authorization": f"Bearer {write_secret}"})
    assert writer.post("/scicat/api/v3/Datasets", RAW, content_type="application/json")\
        .status_code == 201  # fmt: skip


EDITOR_ONLY = {"ownerGroup", "accessGroups", "sourceFolder", "sourceFolderHost"}


def test_groups_and_source_folder_only_for_who_may_edit(api, owner):
    """As API v1's editors' fields: the owner and curators read ownerGroup, accessGroups and
    sourceFolder back (pyscicat and scitacean do, as the owner); a reader, the public list
    and datasets/public do not, on the dataset nor on its origdatablocks."""
    from tests.factories import CuratorFactory

    body = {**RAW, "accessGroups": ["readers"], "sourceFolderHost": "beamline-fs"}
    assert api.post("/scicat/api/v3/Datasets", body, content_type="application/json")\
        .status_code == 201  # fmt: skip
    url = "/scicat/api/v3/Datasets/PID.prefix%2F0f3c-raw"
    block = {"size": 2, "dataFileList": [{"path": "b.h5", "size": 2,
                                          "time": "2024-01-01T00:00:00Z"}]}  # fmt: skip
    assert api.post(f"{url}/origdatablocks", block, content_type="application/json")\
        .status_code == 201  # fmt: skip
    mine = api.get(url).json()
    assert mine["ownerGroup"] == "owners" and mine["accessGroups"] == ["readers"]
    assert mine["sourceFolder"] == "/data/raw" and mine["sourceFolderHost"] == "beamline-fs"
    assert api.get(f"{url}/origdatablocks").json()[0]["ownerGroup"] == "owners"

    reader = UserFactory(username="reader")
    reader.set_password("reader-pw")
    reader.save()
    reader.groups.add(GroupFactory(name="readers"))
    Dataset.objects.get().access_groups.add(reader.groups.get())
    as_reader = Client(headers={"Authorization": f"Bearer {_token('reader', 'reader-pw')}"})
    theirs = as_reader.get(url).json()
    assert theirs["datasetName"] == "A raw dataset"
    assert not EDITOR_ONLY & set(theirs), theirs
    [reader_block] = as_reader.get(f"{url}/origdatablocks").json()
    assert reader_block["dataFileList"] and not EDITOR_ONLY & set(reader_block)
    v4 = "/scicat/api/v4/datasets/PID.prefix%2F0f3c-raw?include=origdatablocks"
    assert not EDITOR_ONLY & set(as_reader.get(v4).json())

    curator = CuratorFactory(username="sc-curator")
    curator.set_password("curator-pw")
    curator.save()
    as_curator = Client(headers={"Authorization": f"Bearer {_token('sc-curator', 'curator-pw')}"})
    assert as_curator.get(url).json()["ownerGroup"] == "owners"

    Dataset.objects.update(status=Status.PUBLISHED)
    public = Client().get("/scicat/api/v4/datasets/public/PID.prefix%2F0f3c-raw").json()
    assert public["datasetName"] == "A raw dataset" and not EDITOR_ONLY & set(public)
    [listed] = Client().get("/scicat/api/v3/Datasets").json()
    assert not EDITOR_ONLY & set(listed)
    # The owner, listing, still reads them.
    [own] = api.get("/scicat/api/v3/Datasets").json()
    assert own["ownerGroup"] == "owners"
