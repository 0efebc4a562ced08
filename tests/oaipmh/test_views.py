"""/oai: every verb and every error, each response validated against the official schemas."""

import datetime
import gzip
import re
from urllib.parse import urlencode

import pytest
from django.test import Client

from catalogue.models import Dataset, Status
from oaipmh import responses
from oaipmh.models import DeletedRecord
from tests.factories import FacilityFactory, InstrumentFactory, make_dataset, technique
from tests.oaipmh.schemas import NS, OAI, errors, oai_get, response_body, validate

pytestmark = pytest.mark.django_db

T0 = datetime.datetime(2024, 1, 10, 12, 0, 0, 250000, tzinfo=datetime.UTC)


def at(dataset: Dataset, when: datetime.datetime) -> Dataset:
    """Give a dataset a datestamp (updated_at is auto_now, so write it with update())."""
    Dataset.objects.filter(pk=dataset.pk).update(updated_at=when)
    dataset.refresh_from_db()
    return dataset


def ident(settings, dataset) -> str:
    return f"oai:{settings.OAI_REPOSITORY_ID}:{dataset.pid}"


def identifiers(root) -> list[str]:
    return [e.text for e in root.iterfind(".//oai:header/oai:identifier", NS)]


def harvest(client, verb="ListIdentifiers", **params) -> tuple[list, list]:
    """Follow resumption tokens to the end; the headers and the resumptionToken elements."""
    root = oai_get(client, verb=verb, **params)
    headers, tokens = [], []
    for _ in range(1000):
        headers += root.findall(".//oai:header", NS)
        token = root.find(".//oai:resumptionToken", NS)
        if token is None:
            break
        tokens.append(token)
        if not token.text:
            break
        root = oai_get(client, verb=verb, resumptionToken=token.text)
    return headers, tokens


@pytest.fixture
def catalogue_mix():
    """Public, embargoed, withdrawn and never-public datasets."""
    public = [
        at(make_dataset(status=Status.PUBLISHED), T0 + datetime.timedelta(days=i)) for i in range(3)
    ]
    embargoed = at(
        make_dataset(status=Status.PUBLISHED, embargo_until=datetime.date(2999, 1, 1)),
        T0 + datetime.timedelta(days=3),
    )
    withdrawn = make_dataset(status=Status.WITHDRAWN)
    hidden = [make_dataset(status=s) for s in (Status.DRAFT, Status.SUBMITTED, Status.APPROVED)]
    return {"public": [*public, embargoed], "withdrawn": withdrawn, "hidden": hidden}


# --------------------------------------------------------------------------- Identify
def test_identify(client, settings, catalogue_mix):
    root = oai_get(client, verb="Identify")
    identify = root.find("oai:Identify", NS)
    assert identify.findtext("oai:baseURL", namespaces=NS) == settings.BASE_URL + "/oai"
    assert identify.findtext("oai:protocolVersion", namespaces=NS) == "2.0"
    assert identify.findtext("oai:adminEmail", namespaces=NS) == settings.OAI_ADMIN_EMAIL
    assert identify.findtext("oai:deletedRecord", namespaces=NS) == "persistent"
    assert identify.findtext("oai:granularity", namespaces=NS) == "YYYY-MM-DDThh:mm:ssZ"
    assert identify.findtext("oai:compression", namespaces=NS) == "gzip"
    assert identify.findtext("oai:earliestDatestamp", namespaces=NS) == "2024-01-10T12:00:00Z"
    description = identify.find("oai:description/oai_id:oai-identifier", NS)
    assert description.findtext("oai_id:repositoryIdentifier", namespaces=NS) == (
        settings.OAI_REPOSITORY_ID
    )
    sample = description.findtext("oai_id:sampleIdentifier", namespaces=NS)
    got = oai_get(client, verb="GetRecord", identifier=sample, metadataPrefix="oai_dc")
    assert not errors(got)
    assert root.find("oai:request", NS).attrib == {"verb": "Identify"}


def test_identify_of_an_empty_repository_is_valid(client):
    assert oai_get(client, verb="Identify").find("oai:Identify", NS) is not None


# --------------------------------------------------------------------------- formats
def test_list_metadata_formats(client, settings):
    root = oai_get(client, verb="ListMetadataFormats")
    prefixes = [e.text for e in root.iterfind(".//oai:metadataPrefix", NS)]
    assert prefixes == ["oai_dc", "oai_datacite", "datacite"]
    schemas = [e.text for e in root.iterfind(".//oai:schema", NS)]
    assert "http://schema.datacite.org/oai/oai-1.1/oai.xsd" in schemas


def test_list_metadata_formats_of_one_item(client, settings):
    with_doi = make_dataset(status=Status.PUBLISHED)
    without_doi = make_dataset(status=Status.PUBLISHED)
    Dataset.objects.filter(pk=without_doi.pk).update(doi=None)
    root = oai_get(client, verb="ListMetadataFormats", identifier=ident(settings, with_doi))
    assert len(root.findall(".//oai:metadataFormat", NS)) == 3
    root = oai_get(client, verb="ListMetadataFormats", identifier=ident(settings, without_doi))
    assert [e.text for e in root.iterfind(".//oai:metadataPrefix", NS)] == ["oai_dc"]


# --------------------------------------------------------------------------- sets
def test_list_sets_names_and_describes_every_kind(client):
    facility = FacilityFactory(code="esrf", name="European Synchrotron Radiation Facility")
    instrument = InstrumentFactory(facility=facility, code="id02", name="ID02")
    ds = make_dataset(status=Status.PUBLISHED, facility=facility, instrument=instrument)
    ds.techniques.add(technique())
    draft = make_dataset(status=Status.DRAFT)
    draft.techniques.add(technique("x-ray diffraction"))
    root = oai_get(client, verb="ListSets")
    sets = {s.findtext("oai:setSpec", namespaces=NS): s for s in root.iterfind(".//oai:set", NS)}
    for spec in ("facility", "instrument", "technique", "resourcetype"):
        assert spec in sets
    assert sets["facility:esrf"].findtext("oai:setName", namespaces=NS) == facility.name
    assert sets["instrument:id02"].findtext("oai:setName", namespaces=NS).startswith("ID02")
    assert sets["technique:PaNET01188"].findtext("oai:setName", namespaces=NS) == (
        "small angle x-ray scattering"
    )
    assert "resourcetype:Dataset" in sets
    # Techniques only in unpublished datasets are no sets: they would select nothing.
    assert technique("x-ray diffraction").panet_id not in " ".join(sets)
    description = sets["technique:PaNET01188"].find(
        "oai:setDescription/oai_dc:dc/dc:description", NS
    )
    assert "PaNET01188" in description.text


def test_list_sets_takes_no_token(client):
    root = oai_get(client, verb="ListSets", resumptionToken="anything")
    assert errors(root) == ["badResumptionToken"]


# --------------------------------------------------------------------------- records
def test_lists_hold_exactly_public_datasets_and_deleted_ones(client, settings, catalogue_mix):
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    expected = {ident(settings, d) for d in [*catalogue_mix["public"], catalogue_mix["withdrawn"]]}
    assert set(identifiers(root)) == expected
    deleted = [
        h.findtext("oai:identifier", namespaces=NS)
        for h in root.iterfind(".//oai:header", NS)
        if h.get("status") == "deleted"
    ]
    assert deleted == [ident(settings, catalogue_mix["withdrawn"])]


def test_withdrawn_record_is_a_deleted_header_dated_at_its_withdrawal(client, settings):
    ds = make_dataset(status=Status.WITHDRAWN)
    root = oai_get(
        client, verb="GetRecord", identifier=ident(settings, ds), metadataPrefix="oai_dc"
    )
    record = root.find(".//oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.findtext("oai:header/oai:datestamp", namespaces=NS) == "2025-01-01T00:00:00Z"
    assert record.find("oai:metadata", NS) is None
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_datacite")
    assert root.find(".//oai:header", NS).get("status") == "deleted"


def test_a_dataset_that_stops_being_public_otherwise_is_deleted_too(client, settings):
    ds = make_dataset(status=Status.PUBLISHED)
    Dataset.objects.filter(pk=ds.pk).update(status=Status.APPROVED)  # not via the lifecycle
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    assert root.find(".//oai:header", NS).get("status") == "deleted"


def test_a_deleted_row_stays_a_deleted_record_in_its_sets(client, settings):
    ds = make_dataset(status=Status.WITHDRAWN)
    ds.techniques.add(technique())
    identifier = ident(settings, ds)
    facility = ds.facility.code
    Dataset.objects.filter(pk=ds.pk).delete()
    assert DeletedRecord.objects.count() == 1
    for params in ({}, {"set": f"facility:{facility}"}, {"set": "technique:PaNET01188"}):
        root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        header = root.find(".//oai:header", NS)
        assert header.findtext("oai:identifier", namespaces=NS) == identifier
        assert header.get("status") == "deleted"
    root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_datacite")
    assert root.find(".//oai:header", NS).get("status") == "deleted"
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set="facility:other")
    assert errors(root) == ["noRecordsMatch"]


def test_deleting_a_never_public_dataset_leaves_nothing(client):
    ds = make_dataset(status=Status.DRAFT)
    Dataset.objects.filter(pk=ds.pk).delete()
    assert not DeletedRecord.objects.exists()


@pytest.mark.parametrize("prefix", ["oai_dc", "oai_datacite", "datacite"])
def test_get_record_in_every_format(client, settings, prefix):
    ds = make_dataset(status=Status.PUBLISHED, embargo_until=datetime.date(2999, 1, 1))
    ds.techniques.add(technique())
    root = oai_get(client, verb="GetRecord", identifier=ident(settings, ds), metadataPrefix=prefix)
    record = root.find(".//oai:record", NS)
    assert record.findtext("oai:header/oai:identifier", namespaces=NS) == ident(settings, ds)
    specs = [e.text for e in record.iterfind("oai:header/oai:setSpec", NS)]
    assert specs == [
        f"facility:{ds.facility.code}",
        f"instrument:{ds.instrument.code}",
        "technique:PaNET01188",
        "resourcetype:Dataset",
    ]
    metadata = record.find("oai:metadata", NS)[0]
    if prefix == "oai_dc":
        assert metadata.findtext("dc:title", namespaces=NS) == ds.title
    elif prefix == "oai_datacite":
        assert metadata.tag == "{http://schema.datacite.org/oai/oai-1.1/}oai_datacite"
        assert metadata.findtext("oai_datacite:schemaVersion", namespaces=NS) == "4.6"
        assert metadata.findtext("oai_datacite:datacentreSymbol", namespaces=NS) == (
            settings.OAI_DATACENTRE_SYMBOL
        )
        resource = metadata.find("oai_datacite:payload/datacite:resource", NS)
        assert resource.findtext("datacite:identifier", namespaces=NS) == ds.doi
    else:
        assert metadata.tag == "{http://datacite.org/schema/kernel-4}resource"
        assert metadata.findtext("datacite:identifier", namespaces=NS) == ds.doi


def test_get_record_of_what_the_public_may_not_see_does_not_exist(client, settings):
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.APPROVED):
        ds = make_dataset(status=status)
        root = oai_get(
            client, verb="GetRecord", identifier=ident(settings, ds), metadataPrefix="oai_dc"
        )
        assert errors(root) == ["idDoesNotExist"]
        # Errors other than badVerb/badArgument echo the request (§3.2).
        assert root.find("oai:request", NS).get("identifier") == ident(settings, ds)


@pytest.mark.parametrize(
    "identifier",
    ["oai:elsewhere.org:1", "oai:{repo}:not-a-uuid", "oai:{repo}:{zero}", "{pid}", "\x01bad"],
)
def test_unknown_identifiers(client, settings, identifier):
    ds = make_dataset(status=Status.PUBLISHED)
    identifier = identifier.format(
        repo=settings.OAI_REPOSITORY_ID, zero="00000000-0000-0000-0000-000000000000", pid=ds.pid
    )
    root = oai_get(client, verb="GetRecord", identifier=identifier, metadataPrefix="oai_dc")
    assert errors(root) == ["idDoesNotExist"]


def test_cannot_disseminate_format(client, settings):
    ds = make_dataset(status=Status.PUBLISHED)
    root = oai_get(client, verb="GetRecord", identifier=ident(settings, ds), metadataPrefix="marc")
    assert errors(root) == ["cannotDisseminateFormat"]
    root = oai_get(client, verb="ListRecords", metadataPrefix="marc")
    assert errors(root) == ["cannotDisseminateFormat"]
    Dataset.objects.filter(pk=ds.pk).update(doi=None)
    root = oai_get(
        client, verb="GetRecord", identifier=ident(settings, ds), metadataPrefix="oai_datacite"
    )
    assert errors(root) == ["cannotDisseminateFormat"]
    # DataCite lists leave out records without a DOI; oai_dc has them.
    assert errors(oai_get(client, verb="ListRecords", metadataPrefix="datacite")) == [
        "noRecordsMatch"
    ]
    assert not errors(oai_get(client, verb="ListRecords", metadataPrefix="oai_dc"))


# --------------------------------------------------------------------------- selection
def test_from_and_until_are_inclusive_in_both_granularities(client, settings, catalogue_mix):
    day = lambda i: ident(settings, catalogue_mix["public"][i])  # noqa: E731

    def select(**params):
        root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", **params)
        return set(identifiers(root)) - {ident(settings, catalogue_mix["withdrawn"])}

    assert select(from_="2024-01-11", until="2024-01-12") == {day(1), day(2)}
    assert select(from_="2024-01-11T12:00:00Z", until="2024-01-12T12:00:00Z") == {day(1), day(2)}
    assert select(from_="2024-01-11T12:00:01Z", until="2024-01-12T11:59:59Z") == set()
    assert select(until="2024-01-10") == {day(0)}
    assert select(from_="2024-01-13") == {day(3)}
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc", from_="2030-01-01")
    assert errors(root) == ["noRecordsMatch"]
    assert root.find("oai:request", NS).get("from") == "2030-01-01"


def test_sets_select(client, settings):
    esrf = FacilityFactory(code="esrf")
    ill = FacilityFactory(code="ill")
    a = make_dataset(
        status=Status.PUBLISHED,
        facility=esrf,
        instrument=InstrumentFactory(facility=esrf, code="id02"),
    )
    b = make_dataset(
        status=Status.PUBLISHED,
        facility=ill,
        instrument=InstrumentFactory(facility=ill, code="d22"),
    )
    a.techniques.add(technique())
    Dataset.objects.filter(pk=b.pk).update(resource_type_general="Software")

    def select(set_spec):
        root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc", set=set_spec)
        return set(identifiers(root)) if not errors(root) else errors(root)

    assert select("facility:esrf") == {ident(settings, a)}
    assert select("instrument:d22") == {ident(settings, b)}
    assert select("technique:PaNET01188") == {ident(settings, a)}
    assert select("technique") == {ident(settings, a)}
    assert select("resourcetype:Software") == {ident(settings, b)}
    assert select("facility") == {ident(settings, a), ident(settings, b)}
    assert select("facility:nowhere") == ["noRecordsMatch"]
    assert select("colour:blue") == ["noRecordsMatch"]
    assert select("facility:esrf:deeper") == ["noRecordsMatch"]


# --------------------------------------------------------------------------- resumption
def test_lists_page_with_tokens_cursor_and_complete_list_size(client, settings):
    settings.OAI_PAGE_SIZE = 2
    made = [at(make_dataset(status=Status.PUBLISHED), T0) for _ in range(5)]  # equal datestamps
    for verb in ("ListIdentifiers", "ListRecords"):
        headers, tokens = harvest(client, verb=verb, metadataPrefix="oai_dc")
        got = [h.findtext("oai:identifier", namespaces=NS) for h in headers]
        assert got == sorted(ident(settings, d) for d in made)  # ties ordered by pid
        assert [t.get("cursor") for t in tokens] == ["0", "2", "4"]
        assert {t.get("completeListSize") for t in tokens} == {"5"}
        assert all(t.get("expirationDate") for t in tokens[:-1])
        assert tokens[-1].text is None and tokens[-1].get("expirationDate") is None


def _count_queries(client, **params) -> tuple[list, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        root = oai_get(client, **params)
    counts = sum("COUNT(" in q["sql"].upper() for q in ctx.captured_queries)
    return root.findall(".//oai:resumptionToken", NS), counts


def test_list_size_is_shared_between_harvests_of_one_selection(client, settings):
    """PORTAL_OAI_LIST_SIZE_CACHE_SECONDS (make prod: 60): a harvest's first response counts
    its list once for every harvester starting the same selection meanwhile; the size stays
    an honest approximation (§3.5): never below what is sent, exact at the end."""
    settings.OAI_PAGE_SIZE = 2
    settings.OAI_LIST_SIZE_CACHE_SECONDS = 60
    for _ in range(5):
        at(make_dataset(status=Status.PUBLISHED), T0)
    start = {"verb": "ListIdentifiers", "metadataPrefix": "oai_dc"}
    tokens, counted = _count_queries(client, **start)
    assert counted > 0 and tokens[0].get("completeListSize") == "5"
    tokens, counted = _count_queries(client, **start)
    assert counted == 0 and tokens[0].get("completeListSize") == "5"
    # A different selection is counted for itself: here one with an upper bound.
    _, counted = _count_queries(client, **start, until="2024-06-01")
    assert counted > 0

    made = at(make_dataset(status=Status.PUBLISHED), T0)  # published after the count
    headers, tokens = harvest(client, **start)
    assert ident(settings, made) in {h.findtext("oai:identifier", namespaces=NS) for h in headers}
    assert len(headers) == 6
    assert tokens[0].get("completeListSize") == "5"  # the shared count
    assert tokens[-1].get("completeListSize") == "6"  # the end says what was sent

    settings.OAI_LIST_SIZE_CACHE_SECONDS = 0  # counted every time
    tokens, counted = _count_queries(client, **start)
    assert counted > 0 and tokens[0].get("completeListSize") == "6"


def test_a_list_that_fits_one_response_has_no_token(client):
    make_dataset(status=Status.PUBLISHED)
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    assert root.find(".//oai:resumptionToken", NS) is None


def _first_token(client, verb="ListIdentifiers") -> str:
    root = oai_get(client, verb=verb, metadataPrefix="oai_dc")
    return root.find(".//oai:resumptionToken", NS).text


def test_tampered_foreign_or_expired_tokens_are_bad(client, settings):
    settings.OAI_PAGE_SIZE = 1
    for _ in range(3):
        make_dataset(status=Status.PUBLISHED)
    token = _first_token(client)
    payload, stamp, signature = token.rsplit(":", 2)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),
        payload[:-2] + ":" + stamp + ":" + signature,
        "not-a-token",
        "",
    ]
    for bad in forged[:3]:
        root = oai_get(client, verb="ListIdentifiers", resumptionToken=bad)
        assert errors(root) == ["badResumptionToken"]
        assert root.find("oai:request", NS).get("resumptionToken") == bad
    assert errors(oai_get(client, verb="ListIdentifiers", resumptionToken="")) == ["badArgument"]
    # A ListIdentifiers token does not continue ListRecords.
    root = oai_get(client, verb="ListRecords", resumptionToken=token)
    assert errors(root) == ["badResumptionToken"]
    settings.SECRET_KEY = "another-key-" + "x" * 50
    assert errors(oai_get(client, verb="ListIdentifiers", resumptionToken=token)) == [
        "badResumptionToken"
    ]


def test_expired_token(client, settings):
    settings.OAI_PAGE_SIZE = 1
    make_dataset(status=Status.PUBLISHED)
    make_dataset(status=Status.PUBLISHED)
    token = _first_token(client)
    settings.OAI_TOKEN_LIFETIME_HOURS = -1
    root = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
    assert errors(root) == ["badResumptionToken"]
    assert "expired" in root.findtext("oai:error", namespaces=NS)


def test_a_change_during_a_harvest_neither_repeats_nor_disturbs_it(client, settings):
    """Keyset on (datestamp, pid) with the upper bound fixed at the harvest's start.

    A record already sent that changes moves past the bound: not sent again. A record not yet
    sent that changes moves past it too: the next incremental harvest (from the first
    response's responseDate) brings its new version. Records added meanwhile wait for it too.
    """
    settings.OAI_PAGE_SIZE = 2
    made = [
        at(make_dataset(status=Status.PUBLISHED), T0 + datetime.timedelta(hours=i))
        for i in range(6)
    ]
    first = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    started = first.findtext("oai:responseDate", namespaces=NS)
    seen = identifiers(first)
    assert seen == [ident(settings, d) for d in made[:2]]
    made[0].title = "Changed after it was harvested"
    made[0].save()
    made[4].title = "Changed before it was harvested"
    made[4].save()
    added = make_dataset(status=Status.PUBLISHED)
    token = first.find(".//oai:resumptionToken", NS).text
    while token:
        page = oai_get(client, verb="ListIdentifiers", resumptionToken=token)
        seen += identifiers(page)
        token = page.find(".//oai:resumptionToken", NS).text
    assert len(seen) == len(set(seen))  # nothing twice
    assert seen == [ident(settings, d) for d in (*made[:4], made[5])]
    headers, _ = harvest(client, metadataPrefix="oai_dc", from_=started)
    nxt = {h.findtext("oai:identifier", namespaces=NS) for h in headers}
    assert nxt == {ident(settings, d) for d in (made[0], made[4], added)}
    assert set(seen) | nxt == {ident(settings, d) for d in (*made, added)}


def test_list_records_streams_in_batches(client, settings, monkeypatch):
    settings.OAI_PAGE_SIZE = 5
    monkeypatch.setattr(responses, "METADATA_BATCH", 2)
    for _ in range(5):
        make_dataset(status=Status.PUBLISHED)
    response = client.get("/oai", {"verb": "ListRecords", "metadataPrefix": "oai_datacite"})
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) >= 5  # head, 3 metadata batches, token and end
    root = validate(b"".join(chunks))
    assert len(root.findall(".//oai:record", NS)) == 5


# --------------------------------------------------------------------------- errors and HTTP
def test_bad_verb_and_bad_argument_documents_carry_no_request_attributes(client):
    for params in ({"verb": "Nope"}, {}, {"verb": "ListRecords", "set": "x"}):
        root = oai_get(client, **params)
        assert errors(root) in (["badVerb"], ["badArgument"])
        assert root.find("oai:request", NS).attrib == {}


def test_post_form_without_csrf_token(settings):
    ds = make_dataset(status=Status.PUBLISHED)
    client = Client(enforce_csrf_checks=True)
    form = urlencode(
        {"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": ident(settings, ds)}
    )
    response = client.post("/oai", form, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    root = validate(response_body(response))
    assert root.find(".//oai:record", NS) is not None
    response = client.post("/oai", data='{"verb": "Identify"}', content_type="application/json")
    root = validate(response_body(response))
    assert errors(root) == ["badArgument"]
    assert "x-www-form-urlencoded" in root.findtext("oai:error", namespaces=NS)


def test_other_http_methods_are_refused(client):
    assert client.put("/oai").status_code == 405
    assert client.head("/oai?verb=Identify").status_code == 200


def test_control_characters_in_metadata_never_break_the_xml(client, settings):
    ds = make_dataset(status=Status.PUBLISHED, title="Bad\x0bcharacter\x1ftitle")
    Dataset.objects.filter(pk=ds.pk).update(description="form\x0cfeed")
    for prefix in ("oai_dc", "oai_datacite", "datacite"):
        root = oai_get(client, verb="ListRecords", metadataPrefix=prefix)
        assert "character" in "".join(root.itertext())


def test_identifiers_in_responses_look_like_the_oai_identifier_scheme(client, settings):
    make_dataset(status=Status.PUBLISHED)
    root = oai_get(client, verb="ListIdentifiers", metadataPrefix="oai_dc")
    pattern = re.compile(r"oai:[a-zA-Z][a-zA-Z0-9\-]*(\.[a-zA-Z][a-zA-Z0-9\-]*)+:[0-9a-f\-]{36}")
    assert all(pattern.fullmatch(i) for i in identifiers(root))
    assert OAI


def test_a_row_deleted_between_header_and_metadata_is_sent_as_deleted(client, monkeypatch):
    from oaipmh import selectors

    ds = make_dataset(status=Status.PUBLISHED)
    real = selectors.snapshots_by_id

    def vanishing(ids):
        Dataset.objects.filter(pk=ds.pk).delete()
        return real(ids)

    monkeypatch.setattr(selectors, "snapshots_by_id", vanishing)
    root = oai_get(client, verb="ListRecords", metadataPrefix="oai_dc")
    record = root.find(".//oai:record", NS)
    assert record.find("oai:header", NS).get("status") == "deleted"
    assert record.find("oai:metadata", NS) is None


def test_deleted_records_are_read_only_in_the_admin(admin_client):
    ds = make_dataset(status=Status.WITHDRAWN)
    Dataset.objects.filter(pk=ds.pk).delete()
    page = admin_client.get("/admin/oaipmh/deletedrecord/")
    assert page.status_code == 200 and str(ds.pid) in page.content.decode()
    assert admin_client.get("/admin/oaipmh/deletedrecord/add/").status_code == 403


def test_gzip_for_harvesters_that_accept_it(client, settings):
    settings.OAI_PAGE_SIZE = 2
    for _ in range(3):
        make_dataset(status=Status.PUBLISHED)
    params = {"verb": "ListRecords", "metadataPrefix": "oai_datacite"}
    plain = client.get("/oai", params)
    assert not plain.has_header("Content-Encoding")
    zipped = client.get("/oai", params, HTTP_ACCEPT_ENCODING="gzip, deflate")
    assert zipped.streaming and zipped["Content-Encoding"] == "gzip"
    root = validate(gzip.decompress(response_body(zipped)))
    assert len(root.findall(".//oai:record", NS)) == 2
    error = client.get("/oai", {"verb": "Nope"}, HTTP_ACCEPT_ENCODING="gzip")
    assert errors(validate(gzip.decompress(error.content))) == ["badVerb"]
