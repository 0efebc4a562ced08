"""Argument validation of OAI-PMH requests (§3.1, §3.3, §3.6, §4): pure, no database."""

import datetime

import pytest

from oaipmh.protocol import (
    BAD_ARGUMENT,
    BAD_VERB,
    DAY,
    SECONDS,
    OAIError,
    format_datestamp,
    parse_request,
    parse_utc,
    xml_safe,
)


def _parse(query: str):
    pairs: dict[str, list[str]] = {}
    for part in query.split("&") if query else []:
        name, _, value = part.partition("=")
        pairs.setdefault(name, []).append(value)
    return parse_request(pairs.items())


def _code(query: str) -> str:
    with pytest.raises(OAIError) as exc:
        _parse(query)
    return exc.value.code


@pytest.mark.parametrize(
    "query",
    ["", "metadataPrefix=oai_dc", "verb=Identify&verb=Identify", "verb=identify", "verb=Harvest"],
)
def test_missing_repeated_or_unknown_verb_is_bad_verb(query):
    assert _code(query) == BAD_VERB


@pytest.mark.parametrize(
    "query",
    [
        "verb=Identify&set=facility",  # set on a verb that takes none
        "verb=Identify&metadataPrefix=oai_dc",
        "verb=ListSets&set=facility",
        "verb=GetRecord&identifier=oai:x.y:1&metadataPrefix=oai_dc&set=facility",
        "verb=ListMetadataFormats&metadataPrefix=oai_dc",
        "verb=ListRecords",  # missing metadataPrefix
        "verb=ListIdentifiers&from=2024-01-01",
        "verb=GetRecord&identifier=oai:x.y:1",  # missing metadataPrefix
        "verb=GetRecord&metadataPrefix=oai_dc",  # missing identifier
        "verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=datacite",  # repeated
        "verb=ListRecords&metadataPrefix=oai_dc&foo=bar",  # extra argument
        "verb=ListRecords&resumptionToken=abc&metadataPrefix=oai_dc",  # token is exclusive
        "verb=ListRecords&resumptionToken=abc&until=2024-01-01",
        "verb=Identify&resumptionToken=abc",
        "verb=ListRecords&metadataPrefix=",  # empty value
        "verb=ListRecords&metadataPrefix=oai dc",  # not a metadataPrefix
        "verb=ListRecords&metadataPrefix=oai_dc&set=facility esrf",  # not a setSpec
        "verb=ListRecords&metadataPrefix=oai_dc&set=facility:",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-1-1",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-02-30",
        "verb=ListRecords&metadataPrefix=oai_dc&until=2024-01-01T10:00:00",  # no Z
        "verb=ListRecords&metadataPrefix=oai_dc&until=2024-01-01T10:00:00.5Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T25:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-02T00:00:00Z",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-02&until=2024-01-01",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:01Z"
        "&until=2024-01-01T00:00:00Z",
    ],
)
def test_bad_arguments(query):
    assert _code(query) == BAD_ARGUMENT


def test_bad_argument_names_every_problem_and_hides_the_arguments():
    with pytest.raises(OAIError) as exc:
        _parse("verb=ListRecords&set=a&set=b&foo=1")
    message = exc.value.errors[0][1]
    assert "Repeated" in message and "set" in message
    assert "foo" in message and "metadataPrefix" in message
    assert not exc.value.echo_arguments  # §3.2: no attributes on <request> after badArgument


@pytest.mark.parametrize(
    "query",
    [
        "verb=Identify",
        "verb=ListSets",
        "verb=ListSets&resumptionToken=abc",
        "verb=ListMetadataFormats",
        "verb=ListMetadataFormats&identifier=oai:x.y:1",
        "verb=ListIdentifiers&metadataPrefix=oai_dc&set=technique:PaNET01188",
        "verb=ListRecords&resumptionToken=abc",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01&until=2024-01-01",
        "verb=ListRecords&metadataPrefix=oai_dc&from=2024-01-01T00:00:00Z"
        "&until=2024-01-01T00:00:00Z",
        "verb=GetRecord&identifier=oai:x.y:1&metadataPrefix=anything",
    ],
)
def test_valid_requests(query):
    assert _parse(query).verb == query.split("&")[0].removeprefix("verb=")


def test_dates_are_inclusive_in_their_granularity():
    day = parse_utc("2024-03-01", "from")
    assert day.granularity == DAY
    assert day.first_instant == datetime.datetime(2024, 3, 1, tzinfo=datetime.UTC)
    assert day.last_instant == datetime.datetime(2024, 3, 1, 23, 59, 59, 999999, datetime.UTC)
    second = parse_utc("2024-03-01T10:20:30Z", "until")
    assert second.granularity == SECONDS
    assert second.last_instant == datetime.datetime(2024, 3, 1, 10, 20, 30, 999999, datetime.UTC)


def test_datestamps_are_utc_seconds():
    cet = datetime.timezone(datetime.timedelta(hours=1))
    value = datetime.datetime(2024, 3, 1, 10, 20, 30, 999999, tzinfo=cet)
    assert format_datestamp(value) == "2024-03-01T09:20:30Z"


def test_xml_safe_replaces_characters_xml_forbids():
    assert xml_safe("a\x00b\x0bc\tok\n") == "a\ufffdb\ufffdc\tok\n"
