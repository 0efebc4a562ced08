"""Conformance of the PaNOSC API on the search tests' catalogue (``world``), on both backends:
listing, pagination, counts, includes (inner joins), units, PaNET narrower techniques, text,
scores, documents, 404s. Bad input is tested in test_bad_input.py."""

import datetime

import pytest
from django.conf import settings

from catalogue.models import RelatedIdentifier
from catalogue.search.queries import PANET_BASE
from tests.factories import BeamtimeFactory, DataFileFactory, ProposalFactory

pytestmark = pytest.mark.django_db

SAXS = "small angle x-ray scattering"


@pytest.fixture
def catalogue(backend, world, sync):
    """world (4 public datasets, a draft, one in review, one withdrawn) plus: files on saxs
    (open) and calib (under embargo), saxs and calib in one proposal, sans a supplement of a
    paper."""
    proposal = ProposalFactory(
        facility=world.esrf,
        proposal_id="MX-2345",
        title="Lysozyme in solution",
        principal_investigator="Okafor, Amara",
    )
    beamtime = BeamtimeFactory(proposal=proposal, instrument=world.id02)
    for ds in (world.saxs, world.calib, world.draft):
        ds.beamtime = beamtime
        ds.save(update_fields=["beamtime"])
    DataFileFactory(dataset=world.saxs, path="raw/scan_0001.h5", size=2048)
    DataFileFactory(dataset=world.saxs, path="raw/scan_0002.h5", size=4096)
    DataFileFactory(dataset=world.calib, path="agbh_calibration.nxs", size=100)
    world.calib.embargo_until = datetime.date.today() + datetime.timedelta(days=365)
    world.calib.save(update_fields=["embargo_until"])
    RelatedIdentifier.objects.create(
        dataset=world.sans,
        identifier="10.1107/s1600576724000001",
        identifier_type="DOI",
        relation_type="IsSupplementTo",
        citation="Micelles under contrast variation",
    )
    sync()
    return world


def titles(items) -> set[str]:
    return {i["title"] for i in items}


PUBLIC = {
    "SAXS of lysozyme at room temperature",
    "SANS of block copolymer micelles",
    "SAXS calibration with silver behenate",
    "Neutron powder diffraction of ice VII",
}


# ------------------------------------------------------------------------ datasets --
def test_list_shows_public_datasets_only(catalogue, get):
    items = get("Datasets")
    assert titles(items) == PUBLIC
    saxs = next(i for i in items if i["title"].startswith("SAXS of"))
    assert saxs["pid"] == catalogue.saxs.doi  # the DOI where there is one
    assert saxs["isPublic"] is True and saxs["score"] == 0
    assert saxs["creationDate"].endswith("Z")
    ice = next(i for i in items if i["title"].startswith("Neutron"))
    assert ice["pid"] == str(catalogue.ice.pid)  # no DOI: the portal pid


def test_pagination_with_limit_and_skip(catalogue, get):
    everything = [i["pid"] for i in get("Datasets")]
    pages = [get("Datasets", filter={"limit": 3, "skip": skip}) for skip in (0, 3)]
    assert [len(p) for p in pages] == [3, 1]
    assert [i["pid"] for p in pages for i in p] == everything
    assert [i["pid"] for i in get("Datasets", filter={"limit": 2, "skip": 1})] == everything[1:3]


def test_count_with_where(catalogue, get):
    assert get("Datasets/count") == {"count": 4}
    assert get("Datasets/count", where={"title": {"ilike": "%saxs%"}}) == {"count": 2}
    assert get(
        "Datasets/count",
        where={"or": [{"title": {"like": "SANS%"}}, {"title": {"like": "Neutron%"}}]},
    ) == {"count": 2}
    assert get("Datasets/count", where={"isPublic": False}) == {"count": 0}


def test_case_insensitive_title_text(catalogue, get):
    assert titles(get("Datasets", filter={"where": {"title": {"ilike": "saxs of%"}}})) == {
        "SAXS of lysozyme at room temperature"
    }
    assert get("Datasets", filter={"where": {"title": {"like": "saxs of%"}}}) == []
    assert titles(get("Datasets", filter={"where": {"text": "LYSOZYME"}})) == {
        "SAXS of lysozyme at room temperature"
    }
    # A pattern without % or _ matches as a substring.
    assert titles(get("Datasets", filter={"where": {"title": {"ilike": "CALIBRATION"}}})) == {
        "SAXS calibration with silver behenate"
    }


def test_lookup_by_doi_and_by_portal_pid(catalogue, get):
    by_doi = get(f"Datasets/{catalogue.saxs.doi}")
    by_pid = get(f"Datasets/{catalogue.saxs.pid}")
    assert by_doi == by_pid and by_doi["title"] == catalogue.saxs.title
    encoded = catalogue.saxs.doi.replace("/", "%2F")
    assert get(f"Datasets/{encoded}")["pid"] == catalogue.saxs.doi


@pytest.mark.parametrize("which", ["draft", "review", "withdrawn"])
def test_non_public_and_unknown_pids_are_404(catalogue, get, which):
    dataset = getattr(catalogue, which)
    for pid in filter(None, (dataset.doi, str(dataset.pid))):
        body = get(f"Datasets/{pid}", status=404)
        assert body["error"]["statusCode"] == 404
        get(f"Datasets/{pid}/files", status=404)
        get(f"Datasets/{pid}/files/count", status=404)
    get(f"Datasets/{settings.DATACITE_PREFIX}/no-such-dataset", status=404)
    get("Documents/no-such-document", status=404)
    get("Instruments/no-such-instrument", status=404)
    assert which not in " ".join(titles(get("Datasets")))


def test_include_files_and_embargo(catalogue, get):
    items = get("Datasets", filter={"include": ["files"]})
    by_title = {i["title"]: i for i in items}
    files = by_title["SAXS of lysozyme at room temperature"]["files"]
    assert [(f["name"], f["path"], f["size"]) for f in files] == [
        ("scan_0001.h5", "raw/scan_0001.h5", 2048),
        ("scan_0002.h5", "raw/scan_0002.h5", 4096),
    ]
    assert all(f["url"].startswith("http") for f in files)
    [embargoed] = by_title["SAXS calibration with silver behenate"]["files"]
    assert embargoed["name"] == "agbh_calibration.nxs" and "url" not in embargoed
    # A files scope is an inner join, and lists only the matching files.
    joined = get(
        "Datasets",
        filter={
            "include": [{"relation": "files", "scope": {"where": {"name": {"like": "%0002%"}}}}]
        },
    )
    assert titles(joined) == {"SAXS of lysozyme at room temperature"}
    assert [f["name"] for f in joined[0]["files"]] == ["scan_0002.h5"]
    pid = catalogue.saxs.doi
    assert get(f"Datasets/{pid}/files/count") == {"count": 2}
    assert get(f"Datasets/{pid}/files/count", where={"size": {"gt": 3000}}) == {"count": 1}
    assert [f["name"] for f in get(f"Datasets/{pid}/files", filter={"limit": 1, "skip": 1})] == [
        "scan_0002.h5"
    ]


def test_techniques_scope_is_an_inner_join(catalogue, get):
    flt = {"include": [{"relation": "techniques", "scope": {"where": {"name": SAXS}}}]}
    items = get("Datasets", filter=flt)
    assert titles(items) == {
        "SAXS of lysozyme at room temperature",
        "SAXS calibration with silver behenate",
    }
    assert all(
        i["techniques"]
        == [{"pid": PANET_BASE + "PaNET01188", "name": SAXS, "panetId": PANET_BASE + "PaNET01188"}]
        for i in items
    )
    by_pid = {
        "include": [
            {"relation": "techniques", "scope": {"where": {"pid": PANET_BASE + "PaNET01188"}}}
        ]
    }
    assert titles(get("Datasets", filter=by_pid)) == titles(items)
    # Without a scope: every dataset, with its techniques (none for ice).
    everything = get("Datasets", filter={"include": ["techniques"]})
    assert titles(everything) == PUBLIC
    assert {i["title"]: len(i["techniques"]) for i in everything}[
        "Neutron powder diffraction of ice VII"
    ] == 0


def test_a_technique_matches_its_narrower_techniques(catalogue, get, client):
    # "small angle scattering" (PaNET01124) is broader than SAXS (PaNET01188) and SANS.
    flt = {
        "include": [
            {"relation": "techniques", "scope": {"where": {"name": "small angle scattering"}}}
        ]
    }
    assert titles(get("Datasets", filter=flt)) == PUBLIC - {"Neutron powder diffraction of ice VII"}
    # ... and so does the catalogue's own search (facet and API).
    body = client.get("/api/v1/search", {"technique": "small angle scattering"}).json()
    assert body["total"] == 3
    body = client.get("/api/v1/search", {"technique": "PaNET01124"}).json()
    assert body["total"] == 3


def _energy(low, high, unit):
    return {
        "include": [
            {
                "relation": "parameters",
                "scope": {
                    "where": {
                        "and": [
                            {"name": "energy"},
                            {"value": {"between": [low, high]}},
                            {"unit": unit},
                        ]
                    }
                },
            }
        ]
    }


def test_parameter_range_in_ev_kev_and_joule_gives_the_same_set(catalogue, get):
    # sans holds 9000 eV, calib 9 keV (v/u form), saxs 12.4 keV.
    in_ev = get("Datasets", filter=_energy(8900, 9100, "eV"))
    in_kev = get("Datasets", filter=_energy(8.9, 9.1, "keV"))
    in_joule = get("Datasets", filter=_energy(8900 * 1.602176634e-19, 9100 * 1.602176634e-19, "J"))
    expected = {"SANS of block copolymer micelles", "SAXS calibration with silver behenate"}
    assert titles(in_ev) == titles(in_kev) == titles(in_joule) == expected
    # Parameters come back with their stored value and unit.
    stored = {i["title"]: i["parameters"] for i in in_kev}
    assert [
        (p["name"], p["value"], p["unit"]) for p in stored["SAXS calibration with silver behenate"]
    ] == [("energy", 9, "keV")]
    assert get("Datasets/count", where=None) == {"count": 4}


def test_parameters_by_dotted_key_and_or_of_alternatives(catalogue, get):
    flt = {
        "include": [
            {
                "relation": "parameters",
                "scope": {
                    "where": {
                        "or": [
                            {
                                "and": [
                                    {"name": "sample.temperature"},
                                    {"value": {"gt": 30}},
                                    {"unit": "degC"},
                                ]
                            },
                            {
                                "and": [
                                    {"name": "sample.pressure"},
                                    {"value": {"gte": 2}},
                                    {"unit": "GPa"},
                                ]
                            },
                        ]
                    }
                },
            }
        ]
    }
    # 300 K = 26.85 degC is not above 30 degC; ice holds 2.5 GPa.
    assert titles(get("Datasets", filter=flt)) == {"Neutron powder diffraction of ice VII"}
    text = {
        "include": [
            {
                "relation": "parameters",
                "scope": {"where": {"name": "detector.model", "value": "EIGER2 4M"}},
            }
        ]
    }
    assert titles(get("Datasets", filter=text)) == {"SAXS of lysozyme at room temperature"}


def test_query_scores_are_in_unit_interval_and_sorted(catalogue, get):
    items = get("Datasets", query="saxs")
    assert titles(items) == {
        "SAXS of lysozyme at room temperature",
        "SAXS calibration with silver behenate",
    }
    scores = [i["score"] for i in items]
    assert all(0 < s <= 1 for s in scores) and scores == sorted(scores, reverse=True)
    # The limit applies after scoring: the first of one is the best of all.
    assert get("Datasets", query="saxs", filter={"limit": 1})[0]["pid"] == items[0]["pid"]
    assert get("Datasets/count", query="saxs") == {"count": 2}
    assert all(i["score"] == 0 for i in get("Datasets"))


def test_instrument_and_sample_scopes(catalogue, get):
    flt = {"include": [{"relation": "instrument", "scope": {"where": {"name": "D22 SANS"}}}]}
    items = get("Datasets", filter=flt)
    assert titles(items) == {
        "SANS of block copolymer micelles",
        "Neutron powder diffraction of ice VII",
    }
    assert {i["instrument"]["name"] for i in items} == {"D22 SANS"}
    assert {i["instrument"]["facility"] for i in items} == {"ILL"}


# ----------------------------------------------------------------------- documents --
def test_documents_with_embedded_datasets(catalogue, get):
    docs = get(
        "Documents",
        filter={
            "include": [
                "datasets",
                {"relation": "members", "scope": {"include": ["person", "affiliation"]}},
            ]
        },
    )
    by_type = {d["type"]: d for d in docs}
    assert set(by_type) == {"proposal", "publication"}
    proposal = by_type["proposal"]
    assert proposal["title"] == "Lysozyme in solution"
    # The draft of the same proposal is not embedded: public datasets only.
    assert titles(proposal["datasets"]) == {
        "SAXS of lysozyme at room temperature",
        "SAXS calibration with silver behenate",
    }
    roles = {(m["role"], m["person"]["fullName"]) for m in proposal["members"]}
    assert ("principal investigator", "Amara Okafor") in roles
    assert ("creator", "Mateo García") in roles
    publication = by_type["publication"]
    assert publication["pid"] == publication["doi"] == "10.1107/s1600576724000001"
    assert titles(publication["datasets"]) == {"SANS of block copolymer micelles"}
    assert get(f"Documents/{publication['pid']}")["title"] == "Micelles under contrast variation"
    assert get(f"Documents/{proposal['pid']}")["type"] == "proposal"
    assert get("Documents/count", where={"type": "proposal"}) == {"count": 1}
    # Keywords: the documents' datasets' keywords, most common first.
    assert proposal["keywords"][0] == "SAXS"
    assert get("Documents/count", where={"keywords": "micelles"}) == {"count": 1}
    assert [d["type"] for d in get("Documents", query="lysozyme")] == ["proposal"]
    # A datasets scope is an inner join on documents too.
    scoped = get(
        "Documents",
        filter={
            "include": [
                {"relation": "datasets", "scope": {"where": {"title": {"ilike": "%calibration%"}}}}
            ]
        },
    )
    assert [d["type"] for d in scoped] == ["proposal"]
    assert titles(scoped[0]["datasets"]) == {"SAXS calibration with silver behenate"}


def test_dataset_documents_include(catalogue, get):
    items = get(
        "Datasets",
        filter={
            "include": [{"relation": "documents", "scope": {"where": {"type": "publication"}}}]
        },
    )
    assert titles(items) == {"SANS of block copolymer micelles"}
    assert [d["pid"] for d in items[0]["documents"]] == ["10.1107/s1600576724000001"]


def test_instruments(catalogue, get):
    items = get("Instruments")
    assert {(i["name"], i["facility"]) for i in items} >= {
        ("ID02 SAXS", "ESRF"),
        ("D22 SANS", "ILL"),
    }
    assert get("Instruments/count", where={"facility": "ILL"}) == {"count": 1}
    d22 = get("Instruments", filter={"where": {"name": "D22 SANS"}, "include": ["datasets"]})
    assert titles(d22[0]["datasets"]) == {
        "SANS of block copolymer micelles",
        "Neutron powder diffraction of ice VII",
    }
    assert get(f"Instruments/{d22[0]['pid']}")["name"] == "D22 SANS"
    scored = get("Instruments", query="saxs")
    assert [i["name"] for i in scored] == ["ID02 SAXS"] and 0 < scored[0]["score"] <= 1


def test_fields_projection(catalogue, get):
    items = get("Datasets", filter={"fields": ["pid", "title"], "include": ["techniques"]})
    assert all(set(i) == {"pid", "title", "techniques"} for i in items)


def test_parameter_scope_entries_reported_by_the_search_backend(catalogue, backend):
    """Elasticsearch says which parameter conditions each hit passed (named queries), so
    the embedded parameters need no evaluation per entry; they are the entries Python's own
    evaluation picks. The database backend leaves it to the caller."""
    from catalogue.search.backends.database import condition_holds
    from panosc import selectors
    from panosc.filter import parse_filter
    from panosc.translate import dataset_plan

    filt = parse_filter(
        '{"include": [{"relation": "parameters", "scope": {"where": {"or": ['
        '{"and": [{"name": "energy"}, {"value": {"between": [8900, 9100]}}, {"unit": "eV"}]},'
        '{"and": [{"name": "sample.temperature"}, {"value": {"lt": 400}}, {"unit": "K"}]}'
        "]}}}]}",
        "Dataset",
    )
    plan = dataset_plan(filt)
    result = selectors._search(
        plan, text="", start=0, size=10, source=selectors.RECORD_SOURCE, count=False, matched=True
    )
    assert result.hits
    scope = selectors._ParameterScope(plan.parameters)
    for hit in result.hits:
        record = selectors.record_from_hit(hit)
        if backend.name == "database":
            assert hit.matched is None
            continue
        assert hit.matched
        entries = record.snapshot.scientific_entries
        expected = {
            i
            for i, e in enumerate(entries)
            if any(all(condition_holds({e.key: e}, c) for c in g) for g in plan.parameters)
        }
        assert expected and scope.passed(record) == expected


def test_documents_index_follows_dataset_changes(catalogue, get, backend, settings):
    """On Elasticsearch, Documents are served from their own index, kept by the
    ``datasets_changed`` receiver's task: a publication whose only public dataset is
    withdrawn goes, a dataset moved to another proposal takes the document along."""
    if backend.name != "elasticsearch":
        pytest.skip("the documents index exists on Elasticsearch only")
    from catalogue.models import Dataset, Status
    from panosc.index import update_for_datasets

    before = {d["pid"]: d for d in get("Documents")}
    paper = "10.1107/s1600576724000001"
    assert paper in before
    # Served from the index: a change the index was not told of is not seen yet.
    Dataset.objects.filter(pk=catalogue.sans.pk).update(status=Status.WITHDRAWN)
    assert paper in {d["pid"] for d in get("Documents")}
    update_for_datasets([catalogue.sans.pk])  # what the receiver's task runs
    after = get("Documents", filter={"include": ["datasets"]})
    assert paper not in {d["pid"] for d in after}
    assert get("Documents/count", where={"type": "publication"}) == {"count": 0}
    assert get(f"Documents/{paper}", status=404)
    # Back: published again, the document returns as it was.
    Dataset.objects.filter(pk=catalogue.sans.pk).update(status=Status.PUBLISHED)
    update_for_datasets([catalogue.sans.pk])
    assert get(f"Documents/{paper}") == before[paper]
    # The proposal's calibration dataset leaves the proposal: the proposal's document
    # (found through the datasets it held) no longer embeds it.
    Dataset.objects.filter(pk=catalogue.calib.pk).update(beamtime=None)
    update_for_datasets([catalogue.calib.pk])
    proposal = get("Documents", filter={"where": {"type": "proposal"}, "include": ["datasets"]})
    assert titles(proposal[0]["datasets"]) == {"SAXS of lysozyme at room temperature"}


def test_documents_receiver_is_connected():
    from catalogue.signals import datasets_changed, search_index_rebuilt
    from panosc import apps

    assert apps._datasets_changed in [ref() for _key, ref, *_ in datasets_changed.receivers]
    assert apps._index_rebuilt in [ref() for _key, ref, *_ in search_index_rebuilt.receivers]
