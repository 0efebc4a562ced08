"""doi.datacite: the one DataCite 4.6 mapping, checked against DataCite's official schemas.

* XML: the official DataCite 4.6 XSD (tests/data/schemas/datacite-4.6), with lxml and
  xmlschema, for a fixed complete record (golden file) and for every demo dataset;
* JSON: the DataCite 4.5 JSON Schema (Invenio) where it applies, DataCite's REST API OpenAPI
  (lupo ``DoiPropertiesMetadata``) and the shape of a real API response (viringo fixture).
"""

import copy
import datetime
import io
import json
import os
import uuid
from pathlib import Path

import jsonschema
import pytest
import xmlschema
import yaml
from django.conf import settings
from django.core.management import call_command
from lxml import etree

from catalogue.demo.content import FICTITIOUS_DOI_PREFIX
from catalogue.snapshot import (
    AgentSnapshot,
    BeamtimeSnapshot,
    DatasetSnapshot,
    FacilitySnapshot,
    FundingSnapshot,
    InstrumentSnapshot,
    LicenceSnapshot,
    ProposalSnapshot,
    RelatedIdentifierSnapshot,
    TechniqueSnapshot,
    dataset_snapshot,
    snapshot_queryset,
)
from doi.datacite import (
    NAMESPACE,
    SCHEMA_LOCATION,
    datacite_attributes,
    datacite_resource,
    datacite_xml,
)

DATA = Path(__file__).resolve().parent.parent / "data"
XSD = DATA / "schemas" / "datacite-4.6" / "metadata.xsd"
REFS = DATA / "datacite"
GOLDEN_XML = REFS / "golden-dataset.xml"
GOLDEN_JSON = REFS / "golden-dataset.json"
NS = {"d": NAMESPACE}
UTC = datetime.UTC
# The record's DOI is the portal's own, under the configured prefix (PORTAL_DATACITE_PREFIX);
# the outside things it cites (a journal article, a PIDINST instrument) have DOIs under a
# fictitious prefix of their own. The golden files are written with GOLDEN_PREFIX (the embedded
# default) and compared with the configured prefix put in its place.
PREFIX = settings.DATACITE_PREFIX
DOI = f"{PREFIX}/esrf.abcd-1234"
ARTICLE_DOI = f"{FICTITIOUS_DOI_PREFIX}/jpanrd.2024.0114"
INSTRUMENT_PID = f"{FICTITIOUS_DOI_PREFIX}/pidinst.id02"
GOLDEN_PREFIX = "10.99999"


@pytest.fixture(scope="module")
def lxml_schema():
    return etree.XMLSchema(etree.parse(str(XSD)))


@pytest.fixture(scope="module")
def xmlschema_schema():
    return xmlschema.XMLSchema(str(XSD))


@pytest.fixture(scope="module")
def invenio_schema():
    return json.loads((REFS / "invenio-datacite" / "datacite-v4.5.json").read_text())


def full_snapshot(**changes) -> DatasetSnapshot:
    """A fixed record that fills every property the model holds."""
    values = dict(
        pid=uuid.UUID("5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f"),
        doi=DOI,
        status="published",
        title="SAXS of silver behenate in a temperature ramp",
        url="http://testserver/datasets/5f0c1d2e-3a4b-4c5d-8e6f-7a8b9c0d1e2f/",
        additional_titles=({"title": "Calibration run", "titleType": "Subtitle"},),
        description="Small-angle X-ray scattering of silver behenate.\nTwo lines.",
        additional_descriptions=(
            {"description": "Azimuthal averaging.", "descriptionType": "Methods"},
        ),
        creators=(
            AgentSnapshot(
                name="Carberry, Josiah",
                given_name="Josiah",
                family_name="Carberry",
                orcid="0000-0002-1825-0097",
                affiliation="Brown University",
                affiliation_ror="https://ror.org/05gq02987",
            ),
            AgentSnapshot(name="Okafor, Amara", given_name="Amara", family_name="Okafor"),
            AgentSnapshot(name="SAXS group", name_type="Organizational"),
        ),
        contributors=(
            AgentSnapshot(
                name="Ruiz, Pablo",
                given_name="Pablo",
                family_name="Ruiz",
                orcid="0000-0002-1694-233X",
                affiliation="European Synchrotron Radiation Facility",
                affiliation_ror="https://ror.org/02550n020",
                contributor_type="DataCollector",
            ),
            AgentSnapshot(
                name="European Synchrotron Radiation Facility",
                name_type="Organizational",
                contributor_type="HostingInstitution",
            ),
        ),
        publisher="European Synchrotron Radiation Facility",
        publisher_identifier="https://ror.org/02550n020",
        publication_year=2024,
        resource_type_general="Dataset",
        resource_type="raw",
        keywords=("SAXS", "calibration", "saxs"),
        subjects=(
            {
                "subject": "FOS: Physical sciences",
                "subjectScheme": "Fields of Science and Technology (FOS)",
                "schemeUri": "http://www.oecd.org/science/inno/38235147.pdf",
            },
        ),
        licence=LicenceSnapshot(
            "CC-BY-4.0",
            "Creative Commons Attribution 4.0 International",
            "https://creativecommons.org/licenses/by/4.0/legalcode",
        ),
        language="en",
        version="1.0",
        collection_start=datetime.datetime(2024, 3, 1, 8, tzinfo=UTC),
        collection_end=datetime.datetime(2024, 3, 4, 8, tzinfo=UTC),
        dates=({"date": "2024-03-04", "dateType": "Created"},),
        related_identifiers=(
            RelatedIdentifierSnapshot(
                identifier=ARTICLE_DOI,
                identifier_type="DOI",
                relation_type="IsSupplementTo",
                resource_type_general="JournalArticle",
                citation="Silver behenate studied at ESRF. J. PaN Res. Data 12, 114 (2024)",
            ),
            RelatedIdentifierSnapshot(
                identifier="arXiv:2401.00001", identifier_type="arXiv", relation_type="IsCitedBy"
            ),
        ),
        funding_references=(
            FundingSnapshot(
                funder_name="European Commission",
                funder_identifier="https://ror.org/00k4n6c32",
                funder_identifier_type="ROR",
                award_number="101004728",
                award_uri="https://cordis.europa.eu/project/id/101004728",
                award_title="LEAPS-INNOV",
            ),
            FundingSnapshot(funder_name="Anonymous donor"),
        ),
        facility=FacilitySnapshot(
            code="esrf",
            name="European Synchrotron Radiation Facility",
            short_name="ESRF",
            ror="https://ror.org/02550n020",
            url="https://www.esrf.fr/",
        ),
        instrument=InstrumentSnapshot(
            code="esrf-id02",
            name="ID02",
            pid=INSTRUMENT_PID,
            url="https://www.esrf.fr/id02",
        ),
        techniques=(
            TechniqueSnapshot(
                iri="http://purl.org/pan-science/PaNET/PaNET01188",
                label="small angle x-ray scattering",
            ),
        ),
        proposal=ProposalSnapshot(
            proposal_id="HC-1056", title="SAXS of micelles", principal_investigator="Okafor, Amara"
        ),
        beamtime=BeamtimeSnapshot(
            beamtime_id="HC-1056-1",
            start=datetime.datetime(2024, 3, 1, 8, tzinfo=UTC),
            end=datetime.datetime(2024, 3, 4, 8, tzinfo=UTC),
        ),
        sample_name="silver behenate",
        sample_description="Powder in a 1 mm capillary.",
        scientific_metadata={
            "energy": {"value": 12.4, "unit": "keV"},
            "detector": {"model": "EIGER2 4M", "distance": {"value": 3000, "unit": "mm"}},
        },
        file_count=3,
        total_size=2_345_678,
        media_types=("application/x-hdf5", "text/csv"),
        embargo_until=None,
        created_at=datetime.datetime(2024, 3, 5, 9, tzinfo=UTC),
        updated_at=datetime.datetime(2024, 5, 2, 9, tzinfo=UTC),
        published_at=datetime.datetime(2024, 5, 1, 9, tzinfo=UTC),
    )
    values.update(changes)
    return DatasetSnapshot(**values)


def _with_prefix(text: str, old: str, new: str) -> str:
    """``text`` with the DOI prefix ``old`` replaced by ``new`` (in DOIs and as a JSON value)."""
    return text.replace(f"{old}/", f"{new}/").replace(f'"{old}"', f'"{new}"')


def _golden(path: Path, actual: str) -> str:
    """The golden file, with the configured prefix in place of GOLDEN_PREFIX."""
    if os.environ.get("UPDATE_GOLDEN") == "1":
        path.write_text(_with_prefix(actual, PREFIX, GOLDEN_PREFIX), encoding="utf-8")
    return _with_prefix(path.read_text(encoding="utf-8"), GOLDEN_PREFIX, PREFIX)


# ----------------------------------------------------------------- XML


def test_xml_matches_the_golden_file():
    actual = datacite_xml(full_snapshot()).decode("utf-8")
    assert actual == _golden(GOLDEN_XML, actual)


def test_golden_xml_is_valid_against_the_official_xsd(lxml_schema, xmlschema_schema):
    document = etree.parse(str(GOLDEN_XML))
    assert lxml_schema.validate(document), lxml_schema.error_log
    xmlschema_schema.validate(str(GOLDEN_XML))


def test_xml_document_form():
    data = datacite_xml(full_snapshot())
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<resource')
    root = datacite_resource(full_snapshot())
    assert root.tag == f"{{{NAMESPACE}}}resource"
    assert root.get("{http://www.w3.org/2001/XMLSchema-instance}schemaLocation") == (
        "http://datacite.org/schema/kernel-4 "
        "http://schema.datacite.org/meta/kernel-4.6/metadata.xsd"
    )
    assert SCHEMA_LOCATION.endswith("kernel-4.6/metadata.xsd")


def test_xml_maps_every_property():
    root = datacite_resource(full_snapshot())

    def one(path):
        found = root.xpath(path, namespaces=NS)
        assert len(found) == 1, path
        return found[0]

    assert one("d:identifier[@identifierType='DOI']").text == DOI
    carberry = one("d:creators/d:creator[1]")
    assert carberry.findtext("d:givenName", namespaces=NS) == "Josiah"
    orcid = carberry.find("d:nameIdentifier", NS)
    assert orcid.text == "https://orcid.org/0000-0002-1825-0097"
    assert orcid.get("nameIdentifierScheme") == "ORCID"
    affiliation = carberry.find("d:affiliation", NS)
    assert affiliation.get("affiliationIdentifier") == "https://ror.org/05gq02987"
    assert affiliation.get("affiliationIdentifierScheme") == "ROR"
    organisation = one("d:creators/d:creator[3]/d:creatorName")
    assert organisation.get("nameType") == "Organizational"
    assert one("d:titles/d:title[@titleType='Subtitle']").text == "Calibration run"
    assert one("d:publisher").get("publisherIdentifier") == "https://ror.org/02550n020"
    assert one("d:publicationYear").text == "2024"
    assert one("d:resourceType").get("resourceTypeGeneral") == "Dataset"
    assert one("d:resourceType").text == "raw"
    # Keywords once each (case-insensitively), PaNET with scheme, valueURI and code.
    subjects = [s.text for s in root.xpath("d:subjects/d:subject", namespaces=NS)]
    assert subjects.count("SAXS") == 1 and "saxs" not in subjects
    panet = one("d:subjects/d:subject[@subjectScheme='PaNET']")
    assert panet.get("valueURI") == "http://purl.org/pan-science/PaNET/PaNET01188"
    assert panet.get("classificationCode") == "PaNET01188"
    fos = one("d:subjects/d:subject[@subjectScheme='Fields of Science and Technology (FOS)']")
    assert fos.text == "FOS: Physical sciences"
    collector = one("d:contributors/d:contributor[@contributorType='DataCollector']")
    assert collector.find("d:nameIdentifier", NS).text.endswith("0000-0002-1694-233X")
    host = one("d:contributors/d:contributor[@contributorType='HostingInstitution']")
    assert host.findtext("d:contributorName", namespaces=NS).startswith("European")
    assert one("d:dates/d:date[@dateType='Issued']").text == "2024-05-01"
    assert one("d:dates/d:date[@dateType='Collected']").text == "2024-03-01/2024-03-04"
    assert one("d:dates/d:date[@dateType='Created']").text == "2024-03-04"
    assert one("d:dates/d:date[@dateType='Updated']").text == "2024-05-02"
    assert one("d:language").text == "en"
    assert (
        one("d:alternateIdentifiers/d:alternateIdentifier").get("alternateIdentifierType") == "UUID"
    )
    article = one("d:relatedIdentifiers/d:relatedIdentifier[@relationType='IsSupplementTo']")
    assert article.get("resourceTypeGeneral") == "JournalArticle"
    instrument = one("d:relatedIdentifiers/d:relatedIdentifier[@relationType='IsCollectedBy']")
    assert (instrument.text, instrument.get("relatedIdentifierType")) == (
        INSTRUMENT_PID,
        "DOI",
    )
    assert instrument.get("resourceTypeGeneral") == "Instrument"
    assert [s.text for s in root.xpath("d:sizes/d:size", namespaces=NS)] == [
        "3 files",
        "2.3 MB",
        "2345678 bytes",
    ]
    assert [f.text for f in root.xpath("d:formats/d:format", namespaces=NS)] == [
        "application/x-hdf5",
        "text/csv",
    ]
    assert one("d:version").text == "1.0"
    licence = one("d:rightsList/d:rights[@rightsIdentifierScheme='SPDX']")
    assert licence.get("rightsIdentifier") == "CC-BY-4.0"
    assert licence.get("rightsURI") == "https://creativecommons.org/licenses/by/4.0/legalcode"
    assert one("d:rightsList/d:rights[@rightsURI='info:eu-repo/semantics/openAccess']").text == (
        "Open Access"
    )
    abstract = one("d:descriptions/d:description[@descriptionType='Abstract']")
    assert abstract.text == "Small-angle X-ray scattering of silver behenate."
    assert abstract.find("d:br", NS).tail == "Two lines."
    technical = "".join(
        one("d:descriptions/d:description[@descriptionType='TechnicalInfo']").itertext()
    )
    for expected in ("Proposal: HC-1056", "Beamtime: HC-1056-1", "Sample: silver behenate",
                     "energy: 12.4 keV", "detector.distance: 3000 mm"):  # fmt: skip
        assert expected in technical
    funding = one("d:fundingReferences/d:fundingReference[1]")
    assert funding.find("d:funderIdentifier", NS).get("funderIdentifierType") == "ROR"
    assert funding.find("d:awardNumber", NS).get("awardURI").endswith("101004728")
    assert funding.findtext("d:awardTitle", namespaces=NS) == "LEAPS-INNOV"


def test_embargoed_and_withdrawn_records(lxml_schema):
    embargoed = datacite_resource(full_snapshot(embargo_until=datetime.date(2030, 1, 1)))
    assert lxml_schema.validate(embargoed)
    available = embargoed.xpath("d:dates/d:date[@dateType='Available']", namespaces=NS)
    assert [a.text for a in available] == ["2030-01-01"]
    assert embargoed.xpath(
        "d:rightsList/d:rights[@rightsURI='info:eu-repo/semantics/embargoedAccess']",
        namespaces=NS,
    )
    withdrawn = datacite_resource(
        full_snapshot(
            status="withdrawn",
            withdrawn_at=datetime.datetime(2025, 1, 2, tzinfo=UTC),
            withdrawal_reason="Wrong calibration.",
        )
    )
    assert lxml_schema.validate(withdrawn)
    (date,) = withdrawn.xpath("d:dates/d:date[@dateType='Withdrawn']", namespaces=NS)
    assert (date.text, date.get("dateInformation")) == ("2025-01-02", "Wrong calibration.")
    assert withdrawn.xpath(
        "d:rightsList/d:rights[@rightsURI='info:eu-repo/semantics/closedAccess']", namespaces=NS
    )


def test_an_incomplete_draft_still_validates_with_datacite_unknown_values(lxml_schema):
    draft = full_snapshot(
        doi=None,
        status="draft",
        creators=(),
        publisher="",
        publication_year=None,
        published_at=None,
        licence=None,
        instrument=None,
        file_count=0,
        media_types=(),
    )
    root = datacite_resource(draft)
    assert lxml_schema.validate(root), lxml_schema.error_log
    assert root.findtext("d:identifier", namespaces=NS) == "(:tba)"
    assert root.findtext("d:creators/d:creator/d:creatorName", namespaces=NS) == "(:unav)"
    assert root.findtext("d:publisher", namespaces=NS) == "(:unav)"
    assert root.findtext("d:publicationYear", namespaces=NS) == "2024"  # created_at's year


def test_text_needing_escapes_round_trips(lxml_schema):
    title = 'Fe₃O₄ <nanoparticles> & "friends" at 5 µK'
    root = etree.fromstring(datacite_xml(full_snapshot(title=title)))
    assert lxml_schema.validate(root)
    assert root.findtext("d:titles/d:title", namespaces=NS) == title


# ----------------------------------------------------------------- JSON


def test_json_matches_the_golden_file(settings):
    settings.BASE_URL = "https://data.example.org"
    actual = json.dumps(datacite_attributes(full_snapshot()), indent=2, ensure_ascii=False) + "\n"
    assert json.loads(actual) == json.loads(_golden(GOLDEN_JSON, actual))


def _invenio_view(attributes: dict, schema: dict) -> dict:
    """The attributes Invenio's 4.5 JSON Schema defines, as that schema types them.

    Left out: DataCite API-only attributes the schema does not list (identifiers, the
    derived ``types`` names); publicationYear is an integer in DataCite's API (lupo OpenAPI,
    real responses) and a string in Invenio's schema.
    """
    view = {k: copy.deepcopy(v) for k, v in attributes.items() if k in schema["properties"]}
    view = {k: v for k, v in view.items() if v is not None}
    view["publicationYear"] = str(view["publicationYear"])
    view["types"] = {
        k: v for k, v in view["types"].items() if k in ("resourceType", "resourceTypeGeneral")
    }
    return view


def test_json_validates_against_the_datacite_json_schema(invenio_schema):
    attributes = datacite_attributes(full_snapshot())
    validator = jsonschema.Draft201909Validator(
        invenio_schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    errors = [e.message for e in validator.iter_errors(_invenio_view(attributes, invenio_schema))]
    assert errors == []
    # The check bites: a made-up contributor type is refused.
    broken = _invenio_view(attributes, invenio_schema)
    broken["contributors"][0]["contributorType"] = "Janitor"
    assert list(validator.iter_errors(broken))


def _lupo_schema() -> dict:
    """DataCite REST API (lupo) DOI attribute schemas, OpenAPI 3.0 as JSON Schema."""
    spec = yaml.safe_load((REFS / "datacite-lupo" / "openapi.yaml").read_text())
    components = spec["components"]["schemas"]
    return {
        "allOf": [
            {"$ref": "#/components/schemas/DoiPropertiesMetadata"},
            {"$ref": "#/components/schemas/DoiPropertiesOther"},
        ],
        "components": {"schemas": components},
    }


def _without_nulls(value):
    # OpenAPI 3.0 marks nullable properties with ``nullable``, which JSON Schema ignores;
    # DataCite's responses use null for absent values (viringo fixture), so drop them here.
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_nulls(v) for v in value]
    return value


def test_json_validates_against_the_datacite_rest_api_openapi():
    schema = _lupo_schema()
    attributes = _without_nulls(datacite_attributes(full_snapshot()))
    jsonschema.validate(attributes, schema)
    # (The viringo response is not checked here: it was fetched without ``affiliation=true``,
    # so its affiliations are bare strings, DataCite's legacy form; lupo documents objects.)
    broken = dict(attributes, publicationYear="2024")
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


def test_json_has_the_shape_of_a_real_datacite_api_response(settings):
    settings.BASE_URL = "https://data.example.org"
    real = json.loads((REFS / "datacite-viringo" / "datacite_api_doi.json").read_text())
    real_attributes = real["data"]["attributes"]
    ours = datacite_attributes(full_snapshot())
    # Every metadata attribute we write is one DataCite's API writes, with the same JSON type.
    api_only = {"alternateIdentifiers", "schemaVersion", "relatedItems"}  # lupo, not here
    for key, value in ours.items():
        if key in api_only:
            continue
        if key == "publisher":
            # DataCite 4.5+: an object (lupo: oneOf string/object; the API writes the object
            # with ?publisher=true, the fixture predates it). Its name is the old string.
            assert isinstance(value["name"], str)
            continue
        assert key in real_attributes, key
        if value is not None and real_attributes[key] is not None:
            assert type(value) is type(real_attributes[key]), key
    # No made-up keys: every key of every list item is one the API defines for it.
    metadata = _lupo_schema()["components"]["schemas"]["DoiPropertiesMetadata"]["properties"]
    for key in ("creators", "contributors", "titles", "subjects", "dates", "relatedIdentifiers",
                "rightsList", "descriptions", "fundingReferences"):  # fmt: skip
        items = metadata[key]["items"]
        if "$ref" in items:
            name = items["$ref"].rsplit("/", 1)[-1]
            items = _lupo_schema()["components"]["schemas"][name]
        for item in ours[key]:
            assert set(item) <= set(items["properties"]), (
                key,
                set(item) - set(items["properties"]),
            )
    creator = ours["creators"][0]
    assert creator["nameIdentifiers"][0] == {
        "schemeUri": "https://orcid.org",
        "nameIdentifier": "https://orcid.org/0000-0002-1825-0097",
        "nameIdentifierScheme": "ORCID",
    }
    assert ours["doi"] == DOI
    assert (ours["prefix"], ours["suffix"]) == (PREFIX, "esrf.abcd-1234")
    assert ours["types"]["resourceTypeGeneral"] == "Dataset"
    assert ours["types"]["schemaOrg"] == "Dataset"
    assert ours["url"] == f"https://data.example.org/doi/{DOI}"
    assert ours["publisher"]["publisherIdentifierScheme"] == "ROR"


def test_xml_and_json_say_the_same():
    snapshot = full_snapshot()
    root = datacite_resource(snapshot)
    attributes = datacite_attributes(snapshot)
    assert [c.findtext("d:creatorName", namespaces=NS) for c in root.iterfind(
        "d:creators/d:creator", NS)] == [c["name"] for c in attributes["creators"]]  # fmt: skip
    assert [s.text for s in root.iterfind("d:subjects/d:subject", NS)] == [
        s["subject"] for s in attributes["subjects"]
    ]
    assert [(d.get("dateType"), d.text) for d in root.iterfind("d:dates/d:date", NS)] == [
        (d["dateType"], d["date"]) for d in attributes["dates"]
    ]
    assert [r.text for r in root.iterfind("d:relatedIdentifiers/d:relatedIdentifier", NS)] == [
        r["relatedIdentifier"] for r in attributes["relatedIdentifiers"]
    ]


# ----------------------------------------------------------------- every demo dataset


@pytest.mark.django_db
@pytest.mark.slow
def test_every_demo_dataset_is_valid_datacite(lxml_schema, xmlschema_schema, invenio_schema):
    call_command("load_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    validator = jsonschema.Draft201909Validator(
        invenio_schema, format_checker=jsonschema.Draft201909Validator.FORMAT_CHECKER
    )
    lupo = _lupo_schema()
    statuses = set()
    datasets = list(snapshot_queryset().order_by("pk"))
    assert len(datasets) >= 60
    for dataset in datasets:
        snapshot = dataset_snapshot(dataset)
        statuses.add(snapshot.status)
        data = datacite_xml(snapshot)
        document = etree.fromstring(data)
        assert lxml_schema.validate(document), (snapshot.pid, lxml_schema.error_log)
        xmlschema_schema.validate(data.decode("utf-8"))
        attributes = datacite_attributes(snapshot)
        errors = [
            e.message for e in validator.iter_errors(_invenio_view(attributes, invenio_schema))
        ]
        assert errors == [], snapshot.pid
        jsonschema.validate(_without_nulls(attributes), lupo)
    assert {"draft", "submitted", "published", "withdrawn"} <= statuses
