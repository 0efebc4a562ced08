"""Stateless resumption tokens (OAI-PMH 2.0 §3.5): the list request plus a keyset cursor.

A token holds everything the next response needs, so the server keeps no harvest state and any
worker can answer it: the verb, metadataPrefix, set and date range of the original request,
the upper datestamp bound fixed when the harvest started, the (datestamp, pid) key of the last
record sent, how many records were sent, and the list size counted once at the start. It is
signed (HMAC-SHA256 with the secret key, ``django.core.signing``) and timestamped, so a token
that was altered, made up or is older than PORTAL_OAI_TOKEN_LIFETIME_HOURS is a
badResumptionToken.
"""

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core import signing

from oaipmh.protocol import BAD_RESUMPTION_TOKEN, OAIError

_SALT = "oaipmh.resumption-token"
_VERSION = 1
_EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _to_micros(value: datetime.datetime) -> int:
    delta = value - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _from_micros(value: int) -> datetime.datetime:
    return _EPOCH + datetime.timedelta(microseconds=value)


@dataclass(frozen=True)
class ListState:
    """Where a ListIdentifiers/ListRecords harvest stands."""

    verb: str
    metadata_prefix: str
    set_spec: str | None
    lower: datetime.datetime | None  # first datestamp included (from)
    upper: datetime.datetime  # last datestamp included: until, or the harvest's start
    after: tuple[datetime.datetime, uuid.UUID] | None  # key of the last record sent
    cursor: int  # records sent before the next response
    complete_list_size: int
    # Whether deleted-row records existed when the harvest started: any made later are dated
    # after its upper bound, so a harvest that started without them need not look for them.
    deleted_rows: bool = True


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.OAI_TOKEN_LIFETIME_HOURS)


def encode_token(state: ListState) -> str:
    assert state.after is not None
    payload = [
        _VERSION,
        state.verb,
        state.metadata_prefix,
        state.set_spec,
        _to_micros(state.lower) if state.lower else None,
        _to_micros(state.upper),
        _to_micros(state.after[0]),
        state.after[1].hex,
        state.cursor,
        state.complete_list_size,
        int(state.deleted_rows),
    ]
    return signing.dumps(payload, salt=_SALT, compress=True)


def decode_token(token: str, *, verb: str) -> ListState:
    """The state a token carries, or OAIError(badResumptionToken) saying what is wrong."""
    try:
        payload = signing.loads(token, salt=_SALT, max_age=token_lifetime())
    except signing.SignatureExpired as exc:
        raise OAIError(
            BAD_RESUMPTION_TOKEN,
            "The resumptionToken has expired; restart the harvest, with from= the datestamp "
            "of the last record you received.",
        ) from exc
    except (signing.BadSignature, ValueError, TypeError) as exc:
        raise OAIError(
            BAD_RESUMPTION_TOKEN, "The resumptionToken is not one this repository issued."
        ) from exc
    try:
        (version, token_verb, prefix, set_spec, lower, upper, key_at, key_pid, cursor, size,
         deleted_rows) = payload  # fmt: skip
        if version != _VERSION:
            raise ValueError("version")
        state = ListState(
            verb=token_verb,
            metadata_prefix=str(prefix),
            set_spec=set_spec,
            lower=_from_micros(lower) if lower is not None else None,
            upper=_from_micros(upper),
            after=(_from_micros(key_at), uuid.UUID(hex=key_pid)),
            cursor=int(cursor),
            complete_list_size=int(size),
            deleted_rows=bool(deleted_rows),
        )
    except (ValueError, TypeError) as exc:
        raise OAIError(
            BAD_RESUMPTION_TOKEN, "The resumptionToken is not one this repository issued."
        ) from exc
    if state.verb != verb:
        raise OAIError(
            BAD_RESUMPTION_TOKEN,
            f"This resumptionToken continues a {state.verb} list, not {verb}.",
        )
    return state
