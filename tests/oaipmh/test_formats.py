"""The metadata formats as pure functions of a snapshot: no database."""

import datetime
import uuid
from pathlib import Path

from django.conf import settings
from lxml import etree

from catalogue.snapshot import (
    AgentSnapshot,
    DatasetSnapshot,
    LicenceSnapshot,
    RelatedIdentifierSnapshot,
    TechniqueSnapshot,
)
from oaipmh.formats import FORMATS
from oaipmh.formats.oai_datacite import oai_datacite_element
from oaipmh.formats.oai_dc import oai_dc_element, oai_dc_values
from tests.oaipmh.schemas import NS, oai_schema

VIRINGO = Path(__file__).resolve().parents[1] / "data" / "oaipmh" / "viringo"

SNAPSHOT = DatasetSnapshot(
    pid=uuid.UUID("12345678-1234-5678-1234-567812345678"),
    doi=f"{settings.DATACITE_PREFIX}/esrf.abcd-efgh",
    status="published",
    title="Lysozyme SAXS at 300 K",
    url="https://data.example.org/datasets/12345678-1234-5678-1234-567812345678/",
    description="Small-angle scattering of lysozyme.\nSecond line.",
    creators=(AgentSnapshot(name="Okafor, Amara", given_name="Amara", family_name="Okafor"),),
    contributors=(AgentSnapshot(name="Beamline staff", contributor_type="DataCollector"),),
    publisher="ESRF",
    publication_year=2024,
    resource_type_general="Dataset",
    resource_type="raw",
    keywords=("lysozyme",),
    licence=LicenceSnapshot("CC-BY-4.0", "Creative Commons Attribution 4.0 International",
                            "https://creativecommons.org/licenses/by/4.0/"),
    language="en",
    related_identifiers=(
        RelatedIdentifierSnapshot("10.1000/paper", "DOI", "IsSupplementTo"),
        RelatedIdentifierSnapshot("local-42", "Handle", "IsPartOf"),
    ),
    techniques=(TechniqueSnapshot("http://purl.org/pan-science/PaNET/PaNET01188",
                                  "small angle x-ray scattering"),),
    collection_start=datetime.datetime(2024, 3, 1, 8, tzinfo=datetime.UTC),
    collection_end=datetime.datetime(2024, 3, 4, 8, tzinfo=datetime.UTC),
    media_types=("application/x-hdf5",),
    embargo_until=datetime.date(2026, 1, 1),
    published_at=datetime.datetime(2024, 5, 1, tzinfo=datetime.UTC),
)  # fmt: skip


def _valid(element: etree._Element) -> None:
    schema = oai_schema()
    assert schema.validate(element), schema.error_log


def test_oai_dc_maps_the_record():
    values = oai_dc_values(SNAPSHOT)
    assert ("title", SNAPSHOT.title) in values
    assert ("creator", "Okafor, Amara") in values
    assert ("contributor", "Beamline staff") in values
    assert ("subject", "small angle x-ray scattering") in values
    assert ("identifier", f"https://doi.org/{SNAPSHOT.doi}") in values
    assert ("identifier", SNAPSHOT.url) in values
    assert ("relation", "https://doi.org/10.1000/paper") in values
    assert ("relation", "Handle:local-42") in values
    assert ("date", "2024") in values and ("date", "2024-03-01/2024-03-04") in values
    assert ("date", "info:eu-repo/date/embargoEnd/2026-01-01") in values
    assert ("rights", "info:eu-repo/semantics/embargoedAccess") in values
    assert ("rights", "https://creativecommons.org/licenses/by/4.0/") in values
    assert ("type", "Dataset") in values and ("format", "application/x-hdf5") in values
    _valid(oai_dc_element(SNAPSHOT))


def test_oai_dc_of_a_bare_record_is_valid_and_open():
    bare = DatasetSnapshot(pid=SNAPSHOT.pid, doi=None, status="published", title="T", url="u")
    values = oai_dc_values(bare)
    assert ("rights", "info:eu-repo/semantics/openAccess") in values
    assert not any(name == "identifier" and "doi.org" in v for name, v in values)
    _valid(oai_dc_element(bare))


def test_oai_datacite_has_the_shape_datacite_serves():
    ours = oai_datacite_element(SNAPSHOT, datacentre_symbol="ESRF.DATA")
    _valid(ours)
    theirs = etree.parse(str(VIRINGO / "oai_getrecord_oaidatacite.xml")).find(
        ".//oai_datacite:oai_datacite", NS
    )
    assert ours.tag == theirs.tag
    assert [c.tag for c in ours] == [c.tag for c in theirs]  # schemaVersion, symbol, payload
    assert [c.tag for c in ours.find("oai_datacite:payload", NS)] == [
        "{http://datacite.org/schema/kernel-4}resource"
    ]
    assert ours.findtext("oai_datacite:schemaVersion", namespaces=NS) == "4.6"
    assert ours.findtext("oai_datacite:datacentreSymbol", namespaces=NS) == "ESRF.DATA"


def test_every_format_renders_valid_metadata():
    for fmt in FORMATS.values():
        element = etree.fromstring(fmt.render(SNAPSHOT))
        assert etree.QName(element).namespace == fmt.namespace
        _valid(element)
