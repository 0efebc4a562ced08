"""Datasets for the landing page tests: complete, with real files in the test's storage."""

import datetime
import hashlib

import pytest
from django.conf import settings

from catalogue.models import Contributor, Creator, FundingReference, RelatedIdentifier, Status
from catalogue.services.files import FileRecord, dataset_files_register
from catalogue.storage import dataset_folder
from tests.doi.test_datacite import ARTICLE_DOI
from tests.factories import make_dataset, technique

PEOPLE = [
    ("Carberry", "Josiah", "0000-0002-1825-0097", "Brown University", "https://ror.org/05gq02987"),
    (
        "Okafor",
        "Amara",
        "0000-0002-1694-233X",
        "University of Hamburg",
        "https://ror.org/00g30e956",
    ),
]


def add_people(dataset, people=PEOPLE) -> None:
    dataset.creators.all().delete()
    for i, (family, given, orcid, affiliation, ror) in enumerate(people):
        Creator.objects.create(
            dataset=dataset, position=i, name=f"{family}, {given}", given_name=given,
            family_name=family, orcid=orcid, affiliation=affiliation, affiliation_ror=ror,
        )  # fmt: skip


def write_files(dataset, files: dict[str, bytes], algorithm: str = "sha256") -> None:
    """Write real files into the dataset's folder and register them with their checksums."""
    folder = dataset_folder(dataset.storage_folder)
    records = []
    for path, data in files.items():
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        records.append(
            FileRecord(
                path=path,
                size=len(data),
                checksum=hashlib.new(algorithm, data).hexdigest(),
                checksum_algorithm=algorithm,
            )
        )
    dataset_files_register(dataset=dataset, files=records)


FILES = {
    "README.txt": b"Silver behenate calibration\n",
    "raw/scan 001.h5": b"\x89HDF\r\n\x1a\n" + b"\x00" * 64,
    "processed/profile_001.csv": b"q,intensity\n0.01,100\n",
}


@pytest.fixture
def published(db):
    """A published, open dataset with everything a landing page shows."""
    dataset = make_dataset(
        status=Status.PUBLISHED,
        title="SAXS of silver behenate",
        description="Small-angle scattering of a calibrant.",
        keywords=["SAXS", "calibration"],
        version="1.0",
        publisher="European Synchrotron Radiation Facility",
        publisher_identifier="https://ror.org/02550n020",
        collection_start=datetime.datetime(2024, 3, 1, 8, tzinfo=datetime.UTC),
        collection_end=datetime.datetime(2024, 3, 4, 8, tzinfo=datetime.UTC),
        sample_name="silver behenate",
        scientific_metadata={
            "energy": {"value": 12.4, "unit": "keV"},
            "detector": {"distance": {"value": 3000, "unit": "mm"}},
        },
    )
    dataset.doi = f"{settings.DATACITE_PREFIX}/esrf.abcd-1234"
    dataset.save()
    add_people(dataset)
    dataset.techniques.add(technique())
    Contributor.objects.create(
        dataset=dataset, name="ESRF", name_type="Organizational",
        contributor_type="HostingInstitution",
    )  # fmt: skip
    RelatedIdentifier.objects.create(
        dataset=dataset, identifier=ARTICLE_DOI, identifier_type="DOI",
        relation_type="IsSupplementTo", resource_type_general="JournalArticle",
        citation="Silver behenate studied at ESRF. J. PaN Res. Data 12, 114 (2024)",
    )  # fmt: skip
    FundingReference.objects.create(
        dataset=dataset, funder_name="European Commission",
        funder_identifier="https://ror.org/00k4n6c32", funder_identifier_type="ROR",
        award_number="101004728", award_title="LEAPS-INNOV",
    )  # fmt: skip
    write_files(dataset, FILES)
    dataset.refresh_from_db()
    return dataset


@pytest.fixture
def embargoed(published):
    published.embargo_until = datetime.date.today() + datetime.timedelta(days=200)
    published.save()
    return published


@pytest.fixture
def withdrawn(db):
    dataset = make_dataset(status=Status.WITHDRAWN, title="A withdrawn dataset")
    add_people(dataset)
    write_files(dataset, {"a.txt": b"a"})
    return dataset
