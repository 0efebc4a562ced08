"""Fixtures of the search tests: both backends, a small catalogue with every visibility case.

``backend`` runs a test once on the database backend and once on the real Elasticsearch
(marker ``search``), each Elasticsearch test in its own index that is deleted afterwards.
"""

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.core.cache import cache

from catalogue.models import Dataset, Facility, Instrument, Status
from tests.factories import (
    CuratorFactory,
    FacilityFactory,
    GroupFactory,
    UserFactory,
    make_dataset,
    technique,
)

_counter = itertools.count(1)

BACKENDS = ["database", pytest.param("elasticsearch", marks=pytest.mark.search)]


class Search:
    """The backend under test: ``sync()`` makes the index reflect the database."""

    def __init__(self, name: str):
        self.name = name

    def sync(self) -> None:
        if self.name == "elasticsearch":
            from catalogue.search.indexing import index_datasets

            index_datasets(dataset_ids=Dataset.objects.values_list("pk", flat=True), refresh=True)


@pytest.fixture
def es_index(settings):
    """A fresh, private Elasticsearch index (alias) for this test, deleted afterwards."""
    from catalogue.search.indexing import drop_index, ensure_index

    settings.SEARCH_BACKEND = "elasticsearch"
    settings.SEARCH_REFRESH_ON_WRITE = True
    base = settings.ELASTICSEARCH_INDEX_PREFIX
    settings.ELASTICSEARCH_INDEX_PREFIX = f"{base}-{next(_counter)}"
    ensure_index()
    yield
    drop_index()


@pytest.fixture(params=BACKENDS)
def backend(request, settings) -> Search:
    cache.clear()
    if request.param == "elasticsearch":
        request.getfixturevalue("es_index")
    else:
        settings.SEARCH_BACKEND = "database"
    yield Search(request.param)
    cache.clear()


@dataclass
class World:
    """Datasets and users covering visibility, facets and units (see ``world``)."""

    esrf: Facility
    ill: Facility
    id02: Instrument
    d22: Instrument
    saxs: Dataset  # published, ESRF, 26.85 degC, 12.4 keV
    sans: Dataset  # published, ILL, 300 K, 9000 eV
    calib: Dataset  # published, ESRF, 100 K, 9 keV (v/u form)
    ice: Dataset  # published without DOI, ILL, no technique
    draft: Dataset  # draft of the owners group, created by "creator"
    review: Dataset  # in review, shared with the collaborators group
    withdrawn: Dataset  # withdrawn: in no one's search
    owners: Group
    collaborators: Group
    users: dict


@pytest.fixture
def world(db) -> World:
    esrf = FacilityFactory(code="esrf", name="European Synchrotron Radiation Facility",
                           short_name="ESRF")  # fmt: skip
    ill = FacilityFactory(code="ill", name="Institut Laue-Langevin", short_name="ILL")
    id02 = Instrument.objects.create(facility=esrf, code="esrf-id02", name="ID02 SAXS")
    d22 = Instrument.objects.create(facility=ill, code="ill-d22", name="D22 SANS")
    owners = GroupFactory(name="owners")
    collaborators = GroupFactory(name="collaborators")
    creator = UserFactory(username="creator")
    saxs_t, sans_t = (
        technique("small angle x-ray scattering"),
        technique("small angle neutron scattering"),
    )

    def dataset(status, title, facility, instrument, techniques=(), **fields):
        ds = make_dataset(
            status=status,
            title=title,
            facility=facility,
            instrument=instrument,
            owner_group=fields.pop("owner_group", owners),
            **fields,
        )
        ds.techniques.set(techniques)
        return ds

    saxs = dataset(
        Status.PUBLISHED, "SAXS of lysozyme at room temperature", esrf, id02, [saxs_t],
        description="Small-angle X-ray scattering of hen egg-white lysozyme in solution.",
        keywords=["SAXS", "protein"], publication_year=2023, license="CC-BY-4.0",
        creators=["García, Mateo", "Okafor, Amara"],
        collection_start=datetime.datetime(2023, 3, 1, 8, tzinfo=datetime.UTC),
        collection_end=datetime.datetime(2023, 3, 3, 8, tzinfo=datetime.UTC),
        scientific_metadata={
            "sample": {"temperature": {"value": 26.85, "unit": "degC"}, "pH": 7.0,
                       "buffer": "HEPES 20 mM"},
            "energy": {"value": 12.4, "unit": "keV"},
            "detector": {"model": "EIGER2 4M", "distance": {"value": 3000, "unit": "mm"}},
        },
    )  # fmt: skip
    sans = dataset(
        Status.PUBLISHED, "SANS of block copolymer micelles", ill, d22, [sans_t],
        description="Small-angle neutron scattering with contrast variation.",
        keywords=["SANS", "micelles"], publication_year=2024, license="CC0-1.0",
        creators=["Nowak, Tomasz"],
        collection_start=datetime.datetime(2024, 6, 10, 8, tzinfo=datetime.UTC),
        collection_end=datetime.datetime(2024, 6, 12, 8, tzinfo=datetime.UTC),
        scientific_metadata={
            "sample": {"temperature": {"value": 300, "unit": "K"}},
            "energy": {"value": 9000, "unit": "eV"},
            "detector": {"model": "Multi-tube 3He", "distance": {"value": 5.6, "unit": "m"}},
            "wavelength": {"value": 6, "unit": "angstrom"},
        },
    )  # fmt: skip
    calib = dataset(
        Status.PUBLISHED, "SAXS calibration with silver behenate", esrf, id02, [saxs_t],
        description="Detector calibration frames.",
        keywords=["SAXS", "calibration"], publication_year=2024, license="CC-BY-4.0",
        creators=["Okafor, Amara"],
        scientific_metadata={
            "sample": {"temperature": {"value": 100, "unit": "K"}},
            "energy": {"v": 9, "u": "keV"},
            "angles": [0.3, 0.8, 2.3],
        },
    )  # fmt: skip
    ice = dataset(
        Status.PUBLISHED, "Neutron powder diffraction of ice VII", ill, d22, [],
        description="High-pressure ice.", keywords=["ice", "high pressure"],
        publication_year=2022, license="CC-BY-SA-4.0", creators=["Sato, Yuki"],
        scientific_metadata={"sample": {"pressure": {"value": 2.5, "unit": "GPa"}}},
    )  # fmt: skip
    Dataset.objects.filter(pk=ice.pk).update(doi=None)
    ice.refresh_from_db()
    draft = dataset(
        Status.DRAFT, "Draft SAXS of a secret sample", esrf, id02, [saxs_t],
        keywords=["secret", "SAXS"], publication_year=2025, license="CC-BY-4.0",
        scientific_metadata={"sample": {"temperature": {"value": 350, "unit": "K"}},
                             "secret_key": {"value": 1, "unit": "mm"}},
    )  # fmt: skip
    Dataset.objects.filter(pk=draft.pk).update(created_by=creator)
    draft.refresh_from_db()
    review = dataset(
        Status.IN_REVIEW, "Shared SANS under review", ill, d22, [sans_t],
        owner_group=GroupFactory(name="review-owners"), keywords=["shared"],
        publication_year=2025, license="CC0-1.0",
        scientific_metadata={"sample": {"temperature": {"value": 20, "unit": "degC"}}},
    )  # fmt: skip
    review.access_groups.add(collaborators)
    withdrawn = dataset(
        Status.WITHDRAWN, "Withdrawn SAXS of lysozyme", esrf, id02, [saxs_t],
        keywords=["SAXS", "withdrawn"], publication_year=2021, license="CC-BY-4.0",
        scientific_metadata={"sample": {"temperature": {"value": 300, "unit": "K"}}},
    )  # fmt: skip

    # Distinct publication dates: newest first is sans, calib, saxs, ice.
    for ds, day in ((saxs, "2023-05-01"), (sans, "2024-07-01"), (calib, "2024-02-01"),
                    (ice, "2022-09-01")):  # fmt: skip
        published = datetime.datetime.fromisoformat(day).replace(tzinfo=datetime.UTC)
        Dataset.objects.filter(pk=ds.pk).update(published_at=published)
        ds.refresh_from_db()

    member = UserFactory(username="member")
    member.groups.add(owners)
    shared = UserFactory(username="shared")
    shared.groups.add(collaborators)
    curator = CuratorFactory(username="curator")
    users = {
        "anonymous": AnonymousUser(),
        "other": UserFactory(username="other"),
        "member": member,
        "shared": shared,
        "creator": creator,
        "curator": curator,
    }
    return World(esrf, ill, id02, d22, saxs, sans, calib, ice, draft, review, withdrawn,
                 owners, collaborators, users)  # fmt: skip
