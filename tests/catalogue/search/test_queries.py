"""Parsing: the query language, conditions, and parameters (pure, no services)."""

import pytest
from django.conf import settings
from django.http import QueryDict

from catalogue.search.queries import (
    And,
    Not,
    Or,
    SearchInputError,
    Term,
    elasticsearch_counts_body,
    elasticsearch_hits_body,
    elasticsearch_msearch,
    parse_condition,
    parse_search_params,
    parse_text_query,
    search_params,
)


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("", None),
        ("   ", None),
        ("saxs", Term("saxs")),
        ("saxs waxs", And((Term("saxs"), Term("waxs")))),
        ("saxs AND waxs", And((Term("saxs"), Term("waxs")))),
        ("saxs OR waxs", Or((Term("saxs"), Term("waxs")))),
        ("a b OR c", Or((And((Term("a"), Term("b"))), Term("c")))),
        ("a (b OR c)", And((Term("a"), Or((Term("b"), Term("c")))))),
        ('"pair distribution" pdf', And((Term("pair distribution", phrase=True), Term("pdf")))),
        ("-calibration saxs", And((Not(Term("calibration")), Term("saxs")))),
        ("NOT calibration", Not(Term("calibration"))),
        ("lyso*", Term("lyso", prefix=True)),
        ("-173 K", And((Term("-173"), Term("K")))),  # a negative number is not an exclusion
        ('saxs ""', Term("saxs")),
        ("saxs or waxs", And((Term("saxs"), Term("or"), Term("waxs")))),  # lower case: words
    ],
)
def test_query_language(text, tree):
    assert parse_text_query(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"open', 'unclosed quotation mark (") at character 1'),
        ("saxs (waxs", "'(' at character 6 that is never closed"),
        ("saxs)", "')' at character 5 with no '('"),
        ("OR saxs", "needs a term before it"),
        ("saxs OR", "needs a term after it"),
        ("saxs AND", "needs a term after it"),
        ("NOT", "needs a term after it"),
        ("()", "Empty parentheses"),
        ("x" * 1001, "longer than 1000"),
        (" ".join(["w"] * 65), "more than 64 terms"),
    ],
)
def test_query_language_errors_say_where(text, message):
    with pytest.raises(SearchInputError) as err:
        parse_text_query(text)
    assert message in err.value.message
    assert err.value.parameter == "q"


def test_identifiers_in_terms():
    prefix = settings.DATACITE_PREFIX
    assert Term(f"{prefix}/ABC.1").identifier == ("doi", f"{prefix}/abc.1")
    assert Term(f"https://doi.org/{prefix}/x").identifier == ("doi", f"{prefix}/x")
    assert Term(f"doi:{prefix}/x").identifier == ("doi", f"{prefix}/x")
    pid = "0c3f6a2e-2b8e-4b43-9e61-3d8f3f1b8a55"
    assert Term(pid.upper()).identifier == ("pid", pid)
    assert Term("lysozyme").identifier is None


def test_condition_parsing():
    c = parse_condition("sample.temperature:between:250..300:K")
    assert (c.key, c.op, c.low, c.high, c.unit, c.si_unit) == (
        "sample.temperature", "between", 250.0, 300.0, "K", "K"
    )  # fmt: skip
    assert c.bounds(si=True) == {"gte": 250.0, "lte": 300.0}
    c = parse_condition("sample.temperature:gt:26.85:degC")
    assert c.si_number == pytest.approx(300.0)
    assert c.param == "sample.temperature:gt:26.85:degC"
    c = parse_condition("detector.model:eq:EIGER2 4M")
    assert c.number is None and not c.is_numeric and c.unit == ""
    # A value holding ':' keeps it when the unit segment is given (even empty).
    c = parse_condition("run.start:eq:12:30:")
    assert (c.value, c.unit) == ("12:30", "")
    assert c.param == "run.start:eq:12:30:"
    assert parse_condition(c.param) == c
    assert parse_condition("energy:EQ:9:keV").op == "eq"
    assert parse_condition("x:eq:9").describe() == "x = 9"


def test_params_round_trip_through_the_url():
    params = QueryDict(mutable=True)
    params.update({"q": "saxs", "sort": "title", "page": "2", "page_size": "50"})
    params.setlist("facility", ["ESRF", "ILL"])
    params.setlist("cond", ["sample.temperature:gt:300:K", "detector.model:contains:eiger"])
    params.update({"has_doi": "yes", "year_min": "2020", "date_to": "2024-12-31"})
    query = parse_search_params(params)
    assert query.filters == {"facility": ("ESRF", "ILL"), "has_doi": ("true",)}
    again = QueryDict(mutable=True)
    for name, value in search_params(query):
        again.appendlist(name, value)
    assert parse_search_params(again) == query
    assert ("page", "3") in search_params(query, page=3)
    assert "page" not in dict(search_params(query, page=None))


def test_each_facet_aggregation_filters_by_the_other_facets_only():
    params = QueryDict("facility=ESRF&license=CC0-1.0&q=saxs")
    body = elasticsearch_counts_body(parse_search_params(params), ["public"])
    assert body["size"] == 0 and body["track_total_hits"] is True
    assert body["post_filter"]["bool"]["filter"] == [
        {"terms": {"facility.raw": ["ESRF"]}},
        {"terms": {"license": ["CC0-1.0"]}},
    ]
    assert body["aggs"]["facility"]["filter"] == {
        "bool": {"filter": [{"terms": {"license": ["CC0-1.0"]}}]}
    }
    # Without selections elsewhere a facet's terms aggregation stays at the top level.
    alone = elasticsearch_counts_body(parse_search_params(QueryDict("facility=ESRF")), ["public"])
    assert alone["aggs"]["facility"]["terms"]["field"] == "facility.raw"
    assert alone["aggs"]["facility__selected"]["filters"]["filters"] == {
        "ESRF": {"terms": {"facility.raw": ["ESRF"]}}
    }
    assert "filter" in alone["aggs"]["license"]
    assert (
        body["aggs"]["keyword"]["filter"]["bool"]["filter"] == body["post_filter"]["bool"]["filter"]
    )
    # Visibility is a filter of the query itself: it narrows hits AND every aggregation.
    assert {"terms": {"principals": ["public"]}} in body["query"]["bool"]["filter"]
    curator = elasticsearch_counts_body(parse_search_params(params), None)
    assert not any("principals" in str(f) for f in curator["query"]["bool"]["filter"])


def test_the_page_of_hits_is_a_separate_cheap_request():
    query = parse_search_params(QueryDict("facility=ESRF&q=saxs&page=3&page_size=10"))
    hits = elasticsearch_hits_body(query, ["public"])
    assert (hits["from"], hits["size"], hits["track_total_hits"]) == (20, 10, False)
    assert "aggs" not in hits and "post_filter" not in hits
    assert {"terms": {"facility.raw": ["ESRF"]}} in hits["query"]["bool"]["filter"]
    assert "highlight" in hits
    header, _, counts_header, counts = elasticsearch_msearch(query, ["public"], "x-datasets")
    assert header["index"] == counts_header["index"] == "x-datasets"
    assert counts_header["request_cache"] is True and counts["size"] == 0
    # Every page of the same search asks for the very same counts (one cache entry).
    other_page = parse_search_params(QueryDict("facility=ESRF&q=saxs&page=7&sort=title"))
    assert elasticsearch_counts_body(other_page, ["public"]) == counts
