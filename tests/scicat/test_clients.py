"""The real SciCat clients from PyPI (pyscicat 0.4.8, scitacean >= 26.10), unmodified, against
a live portal: log in, create raw and derived datasets with files, read back, patch, and the
portal's own API shows the same."""

import datetime
from pathlib import Path

import pytest
from django.test import Client as DjangoClient
from pyscicat import client as pyscicat_client
from pyscicat.model import (
    Attachment,
    CreateDatasetOrigDatablockDto,
    DataFile,
    DerivedDataset,
    RawDataset,
)

from catalogue.models import Dataset
from scicat.mapping import SCICAT_PID_TYPE
from tests.factories import GroupFactory, InstrumentFactory, UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.postgres,
]

SAXS = "http://purl.org/pan-science/PaNET/PaNET01188"


@pytest.fixture
def ingestor(settings):
    settings.SCICAT_SOURCE_FOLDER_MAP = [("/data/scicat", "beamline")]
    group = GroupFactory(name="proposal-20240001")
    user = UserFactory(username="ingestor")
    user.set_password("ingestor-pw")
    user.save()
    user.groups.add(group)
    return user


@pytest.fixture
def instrument():
    return InstrumentFactory(code="p11", name="P11 Bio-imaging", pid="20.500.12345/p11")


def _portal_record(user, dataset: Dataset) -> dict:
    client = DjangoClient()
    client.force_login(user)
    response = client.get(f"/api/v1/datasets/{dataset.pid}")
    assert response.status_code == 200, response.content
    return response.json()


def _by_scicat_pid(pid: str) -> Dataset:
    return Dataset.objects.get(
        alternate_identifiers__identifier_type=SCICAT_PID_TYPE,
        alternate_identifiers__identifier=pid,
    )


def test_pyscicat_creates_reads_patches_raw_and_derived(live_server, ingestor, instrument):
    base = live_server.url + "/scicat/api/v3"
    scicat = pyscicat_client.from_credentials(base, "ingestor", "ingestor-pw")
    raw = RawDataset(
        pid="PID.test/8f2c6d0e-raw",
        datasetName="Lysozyme SAXS series",
        description="Temperature series of lysozyme in buffer.",
        owner="Jane Doe",
        ownerEmail="jane@example.org",
        orcidOfOwner="0000-0002-1825-0097",
        contactEmail="jane@example.org",
        principalInvestigator="Jane Doe",
        creationLocation="P11 Bio-imaging",
        creationTime="2024-05-01T08:00:00Z",
        startTime="2024-05-01T08:00:00Z",
        endTime="2024-05-01T10:00:00Z",
        sourceFolder="/data/scicat/2024/lysozyme",
        ownerGroup="proposal-20240001",
        accessGroups=["saxs-collaboration"],
        keywords=["SAXS", "lysozyme"],
        techniques=[{"pid": SAXS, "name": "small angle x-ray scattering"}],
        scientificMetadata={"temperature": {"value": 293.15, "unit": "K"}},
        proposalId="20240001",
        sampleId="lysozyme-7",
        dataFormat="NeXus",
        license="CC-BY-4.0",
        isPublished=False,
    )
    pid = scicat.datasets_create(raw)
    assert pid == "PID.test/8f2c6d0e-raw"
    block = CreateDatasetOrigDatablockDto(
        size=300,  # chkAlg: pyscicat types it int; the portal infers md5 from the length
        dataFileList=[
            DataFile(path="scan_0001.nxs", size=100, time="2024-05-01T08:10:00Z",
                     chk="d41d8cd98f00b204e9800998ecf8427e", uid="1000", perm="-rw-r--r--"),
            DataFile(path="scan_0002.nxs", size=200, time="2024-05-01T08:20:00Z"),
        ],
    )  # fmt: skip
    created = scicat.datasets_origdatablock_create(pid, block)
    assert created["size"] == 300 and len(created["dataFileList"]) == 2
    scicat.datasets_attachment_create(
        Attachment(
            datasetId=pid,
            thumbnail="data:image/png;base64,iVBORw0KGgo=",
            caption="Detector image",
            ownerGroup="proposal-20240001",
        )
    )

    back = scicat.datasets_get_one(pid)
    assert back["pid"] == pid
    assert back["datasetName"] == "Lysozyme SAXS series"
    assert back["principalInvestigator"] == "Jane Doe"
    assert back["proposalId"] == "20240001" and back["sampleId"] == "lysozyme-7"
    assert back["ownerEmail"] == "jane@example.org" and back["dataFormat"] == "NeXus"
    assert back["sourceFolder"] == "/data/scicat/2024/lysozyme"
    assert back["size"] == 300 and back["numberOfFiles"] == 2
    assert back["techniques"] == [{"pid": SAXS, "name": "small angle x-ray scattering"}]
    assert back["accessGroups"] == ["saxs-collaboration"]
    blocks = scicat.datasets_origdatablocks_get_one(pid)
    assert [f["path"] for b in blocks for f in b["dataFileList"]] == [
        "scan_0001.nxs",
        "scan_0002.nxs",
    ]
    first = blocks[0]["dataFileList"][0]
    assert first["time"] == "2024-05-01T08:10:00Z" and first["uid"] == "1000"
    assert first["chk"] == "d41d8cd98f00b204e9800998ecf8427e"

    # pyscicat's update resends the whole model, type and pid included.
    raw.datasetName = "Lysozyme SAXS series, corrected"
    raw.keywords = ["SAXS", "lysozyme", "corrected"]
    assert scicat.datasets_update(raw, pid) == pid
    back = scicat.datasets_get_one(pid)
    assert back["datasetName"] == "Lysozyme SAXS series, corrected"

    derived = DerivedDataset(
        datasetName="Lysozyme radial averages",
        owner="Jane Doe",
        contactEmail="jane@example.org",
        investigator="Jane Doe",
        inputDatasets=[pid],
        usedSoftware=["pyFAI 2024.2"],
        jobParameters={"bins": 1000},
        creationTime="2024-05-02T08:00:00Z",
        sourceFolder="/elsewhere/derived/lysozyme",
        ownerGroup="proposal-20240001",
    )
    derived_pid = scicat.datasets_create(derived)
    assert derived_pid.startswith("portal/")
    scicat.datasets_origdatablock_create(
        derived_pid,
        CreateDatasetOrigDatablockDto(size=42, dataFileList=[DataFile(path="radial.h5", size=42)]),
    )
    found = scicat.datasets_get_many({"type": "derived"})
    assert [d["pid"] for d in found] == [derived_pid]
    assert found[0]["investigator"] == "Jane Doe"
    assert found[0]["inputDatasets"] == [pid] and found[0]["jobParameters"] == {"bins": 1000}
    full = scicat.datasets_find(query_fields={"text": "radial"})
    assert [d["pid"] for d in full] == [derived_pid]

    # The portal's own API shows the same record and files.
    ds = _by_scicat_pid(pid)
    record = _portal_record(ingestor, ds)
    assert record["title"] == "Lysozyme SAXS series, corrected"
    assert record["status"] == "draft"
    assert record["keywords"] == ["SAXS", "lysozyme", "corrected"]
    assert record["owner_group"] == "proposal-20240001"
    assert record["access_groups"] == ["saxs-collaboration"]
    assert record["storage_folder"] == "beamline/2024/lysozyme"
    assert record["instrument"]["code"] == "p11"
    assert record["creators"][0]["name"] == "Jane Doe"
    assert record["creators"][0]["orcid"].endswith("0000-0002-1825-0097")
    assert record["dates"]["collection_start"].startswith("2024-05-01T08:00:00")
    assert record["alternate_identifiers"] == [{"identifier": pid, "type": SCICAT_PID_TYPE}]
    assert record["scientific_metadata"] == {"temperature": {"value": 293.15, "unit": "K"}}
    assert record["techniques"][0]["iri"] == SAXS
    assert [(f["path"], f["size"]) for f in record["files"]] == [
        ("scan_0001.nxs", 100),
        ("scan_0002.nxs", 200),
    ]
    assert record["file_count"] == 2 and record["total_size"] == 300
    derived_record = _portal_record(ingestor, _by_scicat_pid(derived_pid))
    assert derived_record["storage_folder"] is None  # no prefix matches: no local folder
    assert derived_record["files"][0]["path"] == "radial.h5"
    assert derived_record["resource_type"]["type"] == "derived"


def test_scitacean_uploads_and_downloads(live_server, ingestor, instrument, tmp_path):
    from scitacean import Client
    from scitacean import Dataset as ScDataset
    from scitacean.transfer.copy import CopyFileTransfer

    remote = tmp_path / "remote"
    local = tmp_path / "local"
    local.mkdir()
    (local / "frame.h5").write_bytes(b"\x89HDF\r\n\x1a\n" + b"0" * 56)
    (local / "notes.txt").write_text("calibrated with AgBe\n")
    client = Client.from_credentials(
        url=live_server.url + "/scicat/api/v3",
        username="ingestor",
        password="ingestor-pw",
        file_transfer=CopyFileTransfer(),
        allow_http=True,
    )
    dset = ScDataset(
        type="raw",
        name="Tomography of a beetle",
        description="A beetle, scanned.",
        owner="Max Mustermann",
        owner_email="max@example.org",
        contact_email="max@example.org",
        principal_investigators=["Max Mustermann"],
        creation_location="p11",
        creation_time=datetime.datetime(2024, 6, 1, 9, tzinfo=datetime.UTC),
        owner_group="proposal-20240001",
        access_groups=["proposal-20240001"],
        source_folder=str(remote),
        instrument_ids=["20.500.12345/p11"],
        techniques=[],
        meta={"exposure": {"value": 0.5, "unit": "s"}},
    )
    dset.add_local_files(local / "frame.h5", local / "notes.txt")
    uploaded = client.upload_new_dataset_now(dset)
    pid = str(uploaded.pid)
    assert uploaded.size == 64 + len("calibrated with AgBe\n")

    downloaded = client.get_dataset(pid)
    assert downloaded.name == "Tomography of a beetle"
    assert downloaded.principal_investigators == ["Max Mustermann"]
    assert downloaded.meta["exposure"] == {"value": 0.5, "unit": "s"}
    assert sorted(f.remote_path.posix for f in downloaded.files) == ["frame.h5", "notes.txt"]
    assert sum(f.size for f in downloaded.files) == uploaded.size

    ds = _by_scicat_pid(pid)
    record = _portal_record(ingestor, ds)
    assert record["title"] == "Tomography of a beetle"
    assert record["instrument"]["code"] == "p11"
    assert sorted(f["path"] for f in record["files"]) == ["frame.h5", "notes.txt"]
    frame = next(f for f in record["files"] if f["path"] == "frame.h5")
    assert frame["checksum"].startswith("blake2b:")
    assert Path(remote, "frame.h5").exists()  # CopyFileTransfer put it in the source folder
