"""Resumption tokens: the whole list state survives the round trip, nothing else gets in."""

import datetime
import uuid

import pytest

from oaipmh.protocol import OAIError
from oaipmh.tokens import ListState, decode_token, encode_token

STATE = ListState(
    verb="ListRecords",
    metadata_prefix="oai_datacite",
    set_spec="technique:PaNET01188",
    lower=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC),
    upper=datetime.datetime(2025, 3, 4, 5, 6, 7, 891011, tzinfo=datetime.UTC),
    after=(datetime.datetime(2024, 6, 1, 0, 0, 0, 1, tzinfo=datetime.UTC), uuid.uuid4()),
    cursor=300,
    complete_list_size=1_000_000,
    deleted_rows=False,
)


def test_round_trip_keeps_microseconds_and_every_field():
    assert decode_token(encode_token(STATE), verb="ListRecords") == STATE
    open_ended = ListState(**{**STATE.__dict__, "lower": None, "set_spec": None})
    assert decode_token(encode_token(open_ended), verb="ListRecords") == open_ended


def test_token_is_bound_to_its_verb_and_signature():
    token = encode_token(STATE)
    with pytest.raises(OAIError, match="continues a ListRecords list"):
        decode_token(token, verb="ListIdentifiers")
    body, stamp, signature = token.rsplit(":", 2)
    for forged in (f"{body}x:{stamp}:{signature}", f"{body}:{stamp}:{signature[::-1]}", "x"):
        with pytest.raises(OAIError) as exc:
            decode_token(forged, verb="ListRecords")
        assert exc.value.code == "badResumptionToken"


def test_token_is_url_and_xml_safe():
    token = encode_token(STATE)
    assert all(c.isalnum() or c in "-_:." for c in token)
    assert len(token) < 300
