"""The search contract, run against BOTH backends (database, and the real Elasticsearch).

Every test goes through GET /api/v1/search (or /search/keys), so the parsing, the backend and
the JSON shape are exercised together. The expected answers are written out by hand from the
``world`` fixture (conftest.py).
"""

import pytest
from django.test import Client

from catalogue.access import datasets_visible_to
from catalogue.models import Status
from tests.catalogue.search.conftest import Search

pytestmark = pytest.mark.django_db

RESULT_KEYS = {
    "pid", "doi", "title", "creators", "publication_year", "facility", "instrument",
    "techniques", "resource_type", "url",
}  # fmt: skip
FACET_NAMES = [
    "facility", "instrument", "technique", "resource_type", "keyword", "license",
    "publication_year", "has_doi",
]  # fmt: skip


def api(client: Client, params=None, *, user=None, status=200, path="/api/v1/search"):
    if user is not None and user.is_authenticated:
        client.force_login(user)
    response = client.get(path, params or {}, HTTP_ACCEPT="application/json")
    assert response.status_code == status, response.content
    return response.json()


def titles(body) -> set[str]:
    return {r["title"] for r in body["results"]}


def facet(body, name) -> dict:
    return {f["value"]: f["count"] for f in body["facets"][name]}


@pytest.fixture
def search(backend, world, client):
    backend.sync()

    def run(params=None, **kwargs):
        return api(client, params, **kwargs)

    return run


# ----------------------------------------------------------------------------- shape --
def test_answer_has_the_documented_shape(search, world):
    body = search({"q": "lysozyme"})
    assert set(body) == {"total", "page", "page_size", "results", "facets"}
    assert body["total"] == 1 and body["page"] == 1 and body["page_size"] == 20
    [hit] = body["results"]
    assert set(hit) == RESULT_KEYS
    assert hit == {
        "pid": str(world.saxs.pid),
        "doi": world.saxs.doi,
        "title": "SAXS of lysozyme at room temperature",
        "creators": ["García, Mateo", "Okafor, Amara"],
        "publication_year": 2023,
        "facility": "European Synchrotron Radiation Facility",
        "instrument": "ID02 SAXS",
        "techniques": ["small angle x-ray scattering"],
        "resource_type": "Dataset",
        "url": f"http://127.0.0.1:8000/datasets/{world.saxs.pid}/",
    }
    assert list(body["facets"]) == FACET_NAMES
    assert all(set(v) == {"value", "count"} for f in body["facets"].values() for v in f)


def test_everything_public_without_a_query(search, world):
    body = search()
    assert titles(body) == {world.saxs.title, world.sans.title, world.calib.title, world.ice.title}
    assert body["total"] == 4


# ------------------------------------------------------------------------ visibility --
@pytest.mark.parametrize("role", ["anonymous", "other", "member", "shared", "creator", "curator"])
def test_nothing_invisible_in_hits_totals_or_facets(search, world, role, client):
    user = world.users[role]
    expected = set(
        datasets_visible_to(user=user)
        .exclude(status=Status.WITHDRAWN)
        .values_list("title", flat=True)
    )
    body = search({"page_size": 100}, user=user)
    assert titles(body) == expected
    assert body["total"] == len(expected)
    # Every dataset has one facility and one licence: the counts add up to the total.
    assert sum(facet(body, "facility").values()) == len(expected)
    assert sum(facet(body, "license").values()) == len(expected)
    keywords = facet(body, "keyword")
    assert ("secret" in keywords) == (world.draft.title in expected)
    assert ("shared" in keywords) == (world.review.title in expected)
    assert "withdrawn" not in keywords
    # A text query, a facet and a condition cannot reach past the gate either.
    secret = search({"q": "secret"}, user=user)
    assert secret["total"] == (1 if world.draft.title in expected else 0)
    hot = search({"cond": "sample.temperature:gte:340:K"}, user=user)
    assert titles(hot) == ({world.draft.title} & expected)
    keys = {k["key"] for k in search({}, user=user, path="/api/v1/search/keys")}
    assert ("secret_key" in keys) == (world.draft.title in expected)


def test_expected_visibility_per_role(world):
    """The roles above really differ (guards the test against a vacuous world)."""

    def seen(role):
        user = world.users[role]
        return set(
            datasets_visible_to(user=user)
            .exclude(status=Status.WITHDRAWN)
            .values_list("pk", flat=True)
        )

    public = {world.saxs.pk, world.sans.pk, world.calib.pk, world.ice.pk}
    assert seen("anonymous") == seen("other") == public
    assert seen("member") == public | {world.draft.pk}
    assert seen("creator") == public | {world.draft.pk}
    assert seen("shared") == public | {world.review.pk}
    assert seen("curator") == public | {world.draft.pk, world.review.pk}


# ------------------------------------------------------------------------ text query --
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("lysozyme", {"saxs"}),
        ("LYSOZYME solution", {"saxs"}),
        ('"block copolymer"', {"sans"}),
        ('"copolymer block"', set()),
        ("lysozyme OR micelles", {"saxs", "sans"}),
        ("SAXS -calibration", {"saxs"}),
        ("SAXS NOT calibration", {"saxs"}),
        ("(lysozyme OR behenate) SAXS", {"saxs", "calib"}),
        ("behen*", {"calib"}),
        ("Okafor", {"saxs", "calib"}),
        ("ice", {"ice"}),
        ("neutron scattering", {"sans"}),
    ],
)
def test_text_queries(search, world, q, expected):
    names = {n: getattr(world, n).title for n in ("saxs", "sans", "calib", "ice")}
    assert titles(search({"q": q})) == {names[n] for n in expected}


@pytest.mark.search
@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("micelle", {"sans"}),  # plural in the title
        ("lysozymes proteins", {"saxs"}),  # singular in title and keywords
        ("behenates", {"calib"}),
        ("Garcia", {"saxs"}),  # "García": folded
        ("calibrations SAXS", {"calib"}),
    ],
)
def test_elasticsearch_stems_and_folds(es_index, world, client, q, expected):
    """Elasticsearch only: light English stemming and ASCII folding (the database backend
    matches words as written, which the contract allows)."""
    Search("elasticsearch").sync()
    names = {n: getattr(world, n).title for n in ("saxs", "sans", "calib", "ice")}
    assert titles(api(client, {"q": q})) == {names[n] for n in expected}


def test_a_doi_or_pid_finds_its_dataset(search, world):
    assert titles(search({"q": world.sans.doi.upper()})) == {world.sans.title}
    assert titles(search({"q": f"https://doi.org/{world.sans.doi}"})) == {world.sans.title}
    assert titles(search({"q": str(world.calib.pid)})) == {world.calib.title}


# ---------------------------------------------------------------------------- facets --
def test_facet_values_are_display_values_with_counts(search, world):
    body = search()
    assert facet(body, "facility") == {
        "European Synchrotron Radiation Facility": 2,
        "Institut Laue-Langevin": 2,
    }
    assert facet(body, "instrument") == {"ID02 SAXS": 2, "D22 SANS": 2}
    assert facet(body, "technique") == {
        "small angle x-ray scattering": 2,
        "small angle neutron scattering": 1,
    }
    assert facet(body, "resource_type") == {"Dataset": 4}
    assert facet(body, "keyword") == {
        "SAXS": 2, "protein": 1, "SANS": 1, "micelles": 1, "calibration": 1, "ice": 1,
        "high pressure": 1,
    }  # fmt: skip
    assert facet(body, "license") == {"CC-BY-4.0": 2, "CC0-1.0": 1, "CC-BY-SA-4.0": 1}
    assert facet(body, "publication_year") == {2024: 2, 2023: 1, 2022: 1}
    assert facet(body, "has_doi") == {"true": 3, "false": 1}
    # Ordered: most frequent first; years newest first.
    assert [v["value"] for v in body["facets"]["publication_year"]] == [2024, 2023, 2022]
    assert body["facets"]["keyword"][0] == {"value": "SAXS", "count": 2}


def test_or_within_a_facet_and_across_facets(search, world):
    both = search({"facility": ["European Synchrotron Radiation Facility",
                                "Institut Laue-Langevin"]})  # fmt: skip
    assert both["total"] == 4
    esrf_2024 = search(
        {"facility": "European Synchrotron Radiation Facility", "publication_year": "2024"}
    )
    assert titles(esrf_2024) == {world.calib.title}
    keywords = search({"keyword": ["ice", "micelles"]})
    assert titles(keywords) == {world.sans.title, world.ice.title}


def test_each_facet_ignores_its_own_selection(search, world):
    body = search({"facility": "Institut Laue-Langevin", "license": "CC-BY-4.0"})
    assert body["total"] == 0
    # Facility counts apply the licence only; licence counts apply the facility only.
    # A selected value stays listed, even when nothing has it under the other selections.
    assert facet(body, "facility") == {
        "European Synchrotron Radiation Facility": 2,
        "Institut Laue-Langevin": 0,
    }
    assert facet(body, "license") == {"CC0-1.0": 1, "CC-BY-SA-4.0": 1, "CC-BY-4.0": 0}
    # Other facets apply both selections.
    assert facet(body, "keyword") == {}

    body = search({"facility": "Institut Laue-Langevin"})
    assert facet(body, "facility") == {
        "European Synchrotron Radiation Facility": 2,
        "Institut Laue-Langevin": 2,
    }
    assert facet(body, "instrument") == {"D22 SANS": 2}


def test_technique_by_label_iri_or_panet_id(search, world):
    label = search({"technique": "small angle x-ray scattering"})
    iri = search({"technique": "http://purl.org/pan-science/PaNET/PaNET01188"})
    panet_id = search({"technique": "PaNET01188"})
    assert titles(label) == titles(iri) == titles(panet_id) == {world.saxs.title, world.calib.title}


def test_has_doi_license_and_resource_type(search, world):
    assert titles(search({"has_doi": "false"})) == {world.ice.title}
    assert search({"has_doi": "true"})["total"] == 3
    assert search({"has_doi": ["true", "false"]})["total"] == 4
    assert titles(search({"license": "CC0-1.0"})) == {world.sans.title}
    assert search({"resource_type": "Dataset"})["total"] == 4
    assert search({"resource_type": "Software"})["total"] == 0


def test_publication_years_and_measurement_dates(search, world):
    assert titles(search({"year_min": "2024"})) == {world.sans.title, world.calib.title}
    assert titles(search({"year_max": "2022"})) == {world.ice.title}
    assert titles(search({"year_min": 2023, "year_max": 2023})) == {world.saxs.title}
    # Collection periods: saxs 2023-03-01..03, sans 2024-06-10..12; others have none.
    assert titles(search({"date_from": "2023-03-03"})) == {world.saxs.title, world.sans.title}
    assert titles(search({"date_from": "2023-03-04"})) == {world.sans.title}
    assert titles(search({"date_to": "2023-03-01"})) == {world.saxs.title}
    assert titles(search({"date_from": "2024-01-01", "date_to": "2024-12-31"})) == {
        world.sans.title
    }


# ------------------------------------------------------------ scientific conditions --
@pytest.mark.parametrize(
    ("cond", "expected"),
    [
        # Units convert: 300 K is 26.85 degC; 9 keV is 9000 eV.
        (["sample.temperature:eq:300:K"], {"saxs", "sans"}),
        (["sample.temperature:eq:26.85:degC"], {"saxs", "sans"}),
        (["energy:eq:9:keV"], {"sans", "calib"}),
        (["energy:eq:9000:eV"], {"sans", "calib"}),
        (["energy:gt:10000:eV"], {"saxs"}),
        (["sample.temperature:lt:0:degC"], {"calib"}),
        (["sample.temperature:between:250..310:K"], {"saxs", "sans"}),
        (["sample.temperature:between:-200..-100:degC"], {"calib"}),
        (["detector.distance:gte:3:m"], {"saxs", "sans"}),
        (["detector.distance:gt:3000:mm"], {"sans"}),
        (["sample.pressure:gt:20000:bar"], {"ice"}),
        (["wavelength:eq:0.6:nm"], {"sans"}),
        # Without a unit, numbers compare as stored.
        (["sample.temperature:gt:99"], {"calib", "sans"}),
        (["sample.pH:eq:7"], {"saxs"}),
        (["angles:gt:2"], {"calib"}),
        # Text: equality ignores case; contains wants the words; ne.
        (["detector.model:eq:eiger2 4m"], {"saxs"}),
        (["detector.model:contains:EIGER2"], {"saxs"}),
        (["detector.model:contains:3he"], {"sans"}),
        (["sample.buffer:contains:hep*"], {"saxs"}),
        (["detector.model:ne:EIGER2 4M"], {"sans"}),
        (["energy:ne:9:keV"], {"saxs"}),
        # Several conditions: all must hold.
        (["sample.temperature:eq:300:K", "energy:lt:10:keV"], {"sans"}),
        (["sample.temperature:eq:300:K", "energy:lt:1:keV"], set()),
        # A key nobody uses matches nothing (no error).
        (["no.such.key:eq:1:K"], set()),
    ],
)
def test_scientific_conditions(search, world, cond, expected):
    names = {n: getattr(world, n).title for n in ("saxs", "sans", "calib", "ice")}
    assert titles(search({"cond": cond})) == {names[n] for n in expected}


def test_conditions_combine_with_text_and_facets(search, world):
    body = search(
        {"q": "SAXS", "facility": "European Synchrotron Radiation Facility",
         "cond": "sample.temperature:gt:200:K"}
    )  # fmt: skip
    assert titles(body) == {world.saxs.title}
    assert facet(body, "facility") == {"European Synchrotron Radiation Facility": 1}


# --------------------------------------------------------------------- sort and pages --
def test_sorting_and_paging(search, world):
    by_title = [r["title"] for r in search({"sort": "title"})["results"]]
    assert by_title == sorted(by_title, key=str.lower)
    newest = [r["title"] for r in search({"sort": "newest"})["results"]]
    oldest = [r["title"] for r in search({"sort": "oldest"})["results"]]
    assert newest == [world.sans.title, world.calib.title, world.saxs.title, world.ice.title]
    assert oldest == list(reversed(newest))
    assert [r["title"] for r in search()["results"]] == newest  # the default without q
    page1 = search({"sort": "title", "page_size": 3})
    page2 = search({"sort": "title", "page_size": 3, "page": 2})
    assert page1["total"] == page2["total"] == 4
    assert [r["title"] for r in page1["results"] + page2["results"]] == by_title
    assert page2["page"] == 2 and page2["page_size"] == 3
    beyond = search({"page": 5, "page_size": 3})
    assert beyond["results"] == [] and beyond["total"] == 4


def test_relevance_puts_title_matches_first(search, world):
    body = search({"q": "calibration"})
    assert body["results"][0]["title"] == world.calib.title


# ------------------------------------------------------------------------- bad input --
@pytest.mark.parametrize(
    ("params", "parameter", "words"),
    [
        ({"cond": "sample.temperature:gt:300:kelvinz"}, "cond", "Unknown unit 'kelvinz'"),
        ({"cond": "sample.temperature:gt:hot"}, "cond", "'hot' is not a number"),
        ({"cond": "sample.temperature:between:300:K"}, "cond", "low..high"),
        ({"cond": "sample.temperature:between:310..300:K"}, "cond", "above the upper"),
        ({"cond": "sample.temperature"}, "cond", "key:operator:value"),
        ({"cond": "sample.temperature:approx:300"}, "cond", "unknown operator 'approx'"),
        ({"cond": ":eq:3"}, "cond", "key is empty"),
        ({"cond": "x:eq:"}, "cond", "value is empty"),
        ({"cond": "x:contains:abc:K"}, "cond", "leave out the unit"),
        ({"q": '"lysozyme'}, "q", "unclosed quotation mark"),
        ({"q": "(saxs OR sans"}, "q", "never closed"),
        ({"q": "saxs)"}, "q", "no '('"),
        ({"q": "saxs OR"}, "q", "needs a term"),
        ({"q": "()"}, "q", "Empty parentheses"),
        ({"page": "0"}, "page", "between 1"),
        ({"page": "two"}, "page", "whole number"),
        ({"page_size": "101"}, "page_size", "between 1 and 100"),
        ({"page": "101", "page_size": "100"}, "page", "first 10,000 results"),
        ({"sort": "random"}, "sort", "one of relevance"),
        ({"year_min": "20x"}, "year_min", "whole number"),
        ({"year_min": "2025", "year_max": "2020"}, "year_min", "after year_max"),
        ({"date_from": "yesterday"}, "date_from", "YYYY-MM-DD"),
        ({"has_doi": "maybe"}, "has_doi", "true or false"),
        ({"publication_year": "recent"}, "publication_year", "must be a year"),
    ],
)
def test_bad_input_is_a_400_that_names_the_problem(backend, client, params, parameter, words):
    body = api(client, params, status=400)
    assert body["parameter"] == parameter
    assert words in body["detail"]


@pytest.mark.parametrize(
    ("cond", "words"),
    [
        ("sample.temperature:gt:3:keV", "'keV' is not compatible with the units of "
         "sample.temperature (K, degC)"),
        ("energy:between:1..2:mm", "'mm' is not compatible with the units of energy"),
        ("sample.pH:gt:3:K", "sample.pH has no units; leave out 'K'"),
    ],
)  # fmt: skip
def test_a_unit_the_key_cannot_compare_with_is_a_400(search, cond, words):
    body = search({"cond": cond}, status=400)
    assert body["parameter"] == "cond"
    assert words in body["detail"]
    # Compatible units, and keys nobody uses, are no error.
    assert search({"cond": "sample.temperature:gt:-300:degF"})["total"] == 3
    assert search({"cond": "unused.key:gt:3:keV"})["total"] == 0


# ------------------------------------------------------------------------------ keys --
def test_keys_in_use_with_units_and_counts(search, world):
    keys = {k["key"]: k for k in search(path="/api/v1/search/keys")}
    assert keys["sample.temperature"]["count"] == 3
    assert set(keys["sample.temperature"]["units"]) == {"K", "degC"}
    assert set(keys["energy"]["units"]) == {"keV", "eV"}
    assert keys["detector.model"]["units"] == []
    assert "secret_key" not in keys  # the draft's key is not public
    assert "withdrawn" not in str(keys)
    temp = search({"prefix": "temp"}, path="/api/v1/search/keys")
    assert [k["key"] for k in temp] == ["sample.temperature"]
    det = search({"prefix": "DET"}, path="/api/v1/search/keys")
    assert {k["key"] for k in det} == {"detector.model", "detector.distance"}
    # Most used first, then by name: energy and sample.temperature are both in 3 datasets.
    assert [k["key"] for k in search({"limit": "2"}, path="/api/v1/search/keys")] == [
        "energy",
        "sample.temperature",
    ]
    assert search({"limit": "0"}, path="/api/v1/search/keys", status=400)["parameter"] == "limit"


def test_ids_are_every_match_visible_to_the_user(backend, world):
    """``search_dataset_ids`` (joins on a result set, PaNOSC scopes): the database keys of
    every match the user may read, in no particular order, or None over the limit."""
    from django.contrib.auth.models import AnonymousUser

    from catalogue.models import Dataset
    from catalogue.search.queries import FieldTest, SearchQuery
    from catalogue.search.selectors import search_dataset_ids, search_datasets

    backend.sync()
    anonymous = AnonymousUser()
    everything = SearchQuery(facets=False, page_size=100)
    visible = {h.pid for h in search_datasets(user=anonymous, query=everything).hits}
    ids = search_dataset_ids(user=anonymous, query=everything, limit=100)
    pids = Dataset.objects.filter(pk__in=ids).values_list("pid", flat=True)
    assert len(ids) == len(visible) >= 2 and {str(p) for p in pids} == visible
    assert world.draft.pk not in ids and world.withdrawn.pk not in ids
    assert search_dataset_ids(user=anonymous, query=everything, limit=len(ids)) is not None
    assert search_dataset_ids(user=anonymous, query=everything, limit=len(ids) - 1) is None
    one = SearchQuery(facets=False, where=FieldTest("pid", "eq", str(world.saxs.pid)))
    assert search_dataset_ids(user=anonymous, query=one, limit=10) == [world.saxs.pk]


def test_document_fields_values_and_membership(backend, world):
    """What the PaNOSC API reads from a search instead of the database: a hit's requested
    document fields (``SearchQuery.source``), a page without a total (``count=False``), the
    distinct proposal and publication pids among the matches (``search_values``) and the
    membership tests on them; drafts' proposals and papers never show."""
    import datetime

    from django.contrib.auth.models import AnonymousUser

    from catalogue.models import Beamtime, Dataset, Proposal, RelatedIdentifier
    from catalogue.search.queries import FieldTest, SearchQuery
    from catalogue.search.selectors import search_datasets, search_values

    when = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    for facility, proposal_id, dataset in (
        (world.esrf, "MX-1", world.saxs),
        (world.esrf, "MX-2", world.draft),
    ):
        proposal = Proposal.objects.create(facility=facility, proposal_id=proposal_id, title="P")
        beamtime = Beamtime.objects.create(proposal=proposal, beamtime_id="1", start=when, end=when)
        Dataset.objects.filter(pk=dataset.pk).update(beamtime=beamtime)
    for identifier, dataset in (("10.1234/Paper.A", world.sans), ("10.1234/paper.b", world.draft)):
        RelatedIdentifier.objects.create(
            dataset=dataset, identifier=identifier, identifier_type="DOI",
            relation_type="IsSupplementTo",
        )  # fmt: skip
    backend.sync()
    anonymous = AnonymousUser()
    fields = ("proposal_pid", "supplement_to")
    everything = SearchQuery(facets=False, page_size=100)
    assert search_values(user=anonymous, query=everything, fields=fields, limit=10) == {
        "proposal_pid": {"esrf/proposal/MX-1"},
        "supplement_to": {"10.1234/paper.a"},
    }
    assert search_values(user=anonymous, query=everything, fields=fields, limit=0) is None

    def pids(where) -> set[str]:
        query = SearchQuery(facets=False, where=where)
        return {h.pid for h in search_datasets(user=anonymous, query=query).hits}

    assert pids(FieldTest("proposal_pid", "in", ("esrf/proposal/MX-1",))) == {str(world.saxs.pid)}
    assert pids(FieldTest("proposal_pid", "eq", "esrf/proposal/MX-2")) == set()  # a draft's
    assert pids(FieldTest("supplement_to", "in", ("10.1234/paper.a",))) == {str(world.sans.pid)}

    page = SearchQuery(
        facets=False, count=False, source=("proposal_pid", "supplement_to", "record")
    )
    result = search_datasets(user=anonymous, query=page)
    assert result.total is None
    by_pid = {h.pid: h.source for h in result.hits}
    assert by_pid[str(world.saxs.pid)]["proposal_pid"] == "esrf/proposal/MX-1"
    assert by_pid[str(world.sans.pid)]["supplement_to"] == ["10.1234/paper.a"]
    world.saxs.refresh_from_db()
    assert by_pid[str(world.saxs.pid)]["record"]["scientific_metadata"] == (
        world.saxs.scientific_metadata
    )
