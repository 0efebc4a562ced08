"""The six verbs (OAI-PMH 2.0 §4), answered as a stream of XML chunks.

:func:`respond` does every check that can fail before it returns (arguments, tokens, formats,
identifiers, and the first page of a list, which tells noRecordsMatch), so errors are whole
documents; it then returns an iterator that writes the response while it reads the records'
metadata in batches, so memory stays flat whatever the page size and the list length.
"""

import dataclasses
import datetime
import uuid
from collections.abc import Iterable, Iterator
from xml.sax.saxutils import escape, quoteattr

from django.conf import settings
from django.utils import timezone

from oaipmh import rendering, selectors
from oaipmh.formats import FORMATS, MetadataFormat
from oaipmh.protocol import (
    BAD_RESUMPTION_TOKEN,
    CANNOT_DISSEMINATE_FORMAT,
    GET_RECORD,
    GRANULARITY,
    ID_DOES_NOT_EXIST,
    IDENTIFY,
    LIST_IDENTIFIERS,
    LIST_METADATA_FORMATS,
    LIST_RECORDS,
    LIST_SETS,
    NO_RECORDS_MATCH,
    OAIError,
    OAIRequest,
    format_datestamp,
    xml_safe,
)
from oaipmh.sets import SetInfo
from oaipmh.tokens import ListState, decode_token, encode_token, token_lifetime

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_IDENTIFIER_NS = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_IDENTIFIER_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
DC_NS = "http://purl.org/dc/elements/1.1/"

# Records whose metadata is read and written in one go, within one response.
METADATA_BATCH = 200


def _text(value: str) -> str:
    return escape(xml_safe(value))


def _attr(value: str) -> str:
    return quoteattr(xml_safe(value))


def base_url() -> str:
    return settings.BASE_URL + "/oai"


def oai_identifier(pid: uuid.UUID) -> str:
    """§2.4 and the oai-identifier scheme: ``oai:<repository id>:<pid>``."""
    return f"oai:{settings.OAI_REPOSITORY_ID}:{pid}"


def pid_from_identifier(identifier: str) -> uuid.UUID | None:
    prefix = f"oai:{settings.OAI_REPOSITORY_ID}:"
    if not identifier.lower().startswith(prefix.lower()):
        return None
    try:
        return uuid.UUID(identifier[len(prefix) :])
    except ValueError:
        return None


def _start(now: datetime.datetime, arguments: dict[str, str] | None) -> str:
    attrs = ""
    if arguments:
        attrs = "".join(f" {name}={_attr(value)}" for name, value in sorted(arguments.items()))
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<OAI-PMH xmlns="{OAI_NS}" xmlns:xsi="{XSI_NS}" '
        f'xsi:schemaLocation="{OAI_NS} {OAI_SCHEMA}">\n'
        f"<responseDate>{format_datestamp(now)}</responseDate>\n"
        f"<request{attrs}>{_text(base_url())}</request>\n"
    )


_END = "</OAI-PMH>\n"


def error_document(error: OAIError, *, arguments: dict[str, str] | None, now) -> bytes:
    """§3.6: the errors, with the request's arguments echoed unless one is badVerb/badArgument."""
    echoed = arguments if error.echo_arguments else None
    errors = "".join(
        f"<error code={_attr(code)}>{_text(message)}</error>\n" for code, message in error.errors
    )
    return (_start(now, echoed) + errors + _END).encode()


def _header(item: selectors.Item) -> str:
    status = ' status="deleted"' if item.deleted else ""
    sets = "".join(f"<setSpec>{_text(spec)}</setSpec>" for spec in item.set_specs)
    return (
        f"<header{status}><identifier>{_text(oai_identifier(item.pid))}</identifier>"
        f"<datestamp>{format_datestamp(item.datestamp)}</datestamp>{sets}</header>"
    )


def _records(items: list[selectors.Item], fmt: MetadataFormat) -> Iterator[bytes]:
    """<record> elements, reading metadata for METADATA_BATCH records at a time."""
    for start in range(0, len(items), METADATA_BATCH):
        batch = items[start : start + METADATA_BATCH]
        metadata = rendering.metadata_of(batch, fmt)
        parts: list[bytes] = []
        for item in batch:
            xml = None if item.deleted else metadata.get(item.dataset_id)
            if xml is None:
                # Deleted records have no metadata (§2.5.1). A live item whose row vanished
                # since the header query was just deleted (and remembered as a DeletedRecord):
                # say so rather than send a live header without metadata.
                gone = item if item.deleted else dataclasses.replace(item, deleted=True)
                parts.append(f"<record>{_header(gone)}</record>\n".encode())
                continue
            parts += [
                b"<record>",
                _header(item).encode(),
                b"<metadata>",
                xml,
                b"</metadata></record>\n",
            ]
        yield b"".join(parts)


def _format(prefix: str) -> MetadataFormat:
    fmt = FORMATS.get(prefix)
    if fmt is None:
        raise OAIError(
            CANNOT_DISSEMINATE_FORMAT,
            f"The metadata format {prefix!r} is not supported; use one of "
            f"{', '.join(FORMATS)} (see ListMetadataFormats).",
        )
    return fmt


def _item(identifier: str) -> selectors.Item:
    pid = pid_from_identifier(identifier)
    item = selectors.item_by_pid(pid) if pid else None
    if item is None:
        raise OAIError(
            ID_DOES_NOT_EXIST,
            f"No record has the identifier {xml_safe(identifier)!r}; identifiers look like "
            f"{oai_identifier(uuid.UUID(int=0))}.",
        )
    return item


def identify() -> Iterator[bytes]:
    earliest = selectors.earliest_datestamp() or timezone.now()
    sample = selectors.sample_pid() or uuid.UUID("00000000-0000-4000-8000-000000000000")
    yield (
        "<Identify>"
        f"<repositoryName>{_text(settings.OAI_REPOSITORY_NAME)}</repositoryName>"
        f"<baseURL>{_text(base_url())}</baseURL>"
        "<protocolVersion>2.0</protocolVersion>"
        f"<adminEmail>{_text(settings.OAI_ADMIN_EMAIL)}</adminEmail>"
        f"<earliestDatestamp>{format_datestamp(earliest)}</earliestDatestamp>"
        "<deletedRecord>persistent</deletedRecord>"
        f"<granularity>{GRANULARITY}</granularity>"
        # §3.1.3, §4.2: the views gzip responses for harvesters that send Accept-Encoding.
        "<compression>gzip</compression>"
        "<description>"
        f'<oai-identifier xmlns="{OAI_IDENTIFIER_NS}" '
        f'xsi:schemaLocation="{OAI_IDENTIFIER_NS} {OAI_IDENTIFIER_SCHEMA}">'
        "<scheme>oai</scheme>"
        f"<repositoryIdentifier>{_text(settings.OAI_REPOSITORY_ID)}</repositoryIdentifier>"
        "<delimiter>:</delimiter>"
        f"<sampleIdentifier>{_text(oai_identifier(sample))}</sampleIdentifier>"
        "</oai-identifier>"
        "</description>"
        "</Identify>\n"
    ).encode()


def list_metadata_formats(identifier: str | None) -> Iterator[bytes]:
    formats: Iterable[MetadataFormat] = FORMATS.values()
    if identifier is not None:
        item = _item(identifier)
        formats = [f for f in formats if item.has_doi or not f.requires_doi]
    body = "".join(
        "<metadataFormat>"
        f"<metadataPrefix>{_text(f.prefix)}</metadataPrefix>"
        f"<schema>{_text(f.schema)}</schema>"
        f"<metadataNamespace>{_text(f.namespace)}</metadataNamespace>"
        "</metadataFormat>\n"
        for f in formats
    )
    yield f"<ListMetadataFormats>\n{body}</ListMetadataFormats>\n".encode()


def _set_xml(info: SetInfo) -> str:
    description = ""
    if info.description:
        description = (
            "<setDescription>"
            f'<oai_dc:dc xmlns:oai_dc="{OAI_DC_NS}" xmlns:dc="{DC_NS}" '
            f'xsi:schemaLocation="{OAI_DC_NS} {OAI_DC_SCHEMA}">'
            f"<dc:description>{_text(info.description)}</dc:description>"
            "</oai_dc:dc></setDescription>"
        )
    return (
        f"<set><setSpec>{_text(info.spec)}</setSpec><setName>{_text(info.name)}</setName>"
        f"{description}</set>\n"
    )


def list_sets(resumption_token: str | None) -> Iterator[bytes]:
    if resumption_token is not None:
        # The set list always fits in one response, so this repository never issues one.
        raise OAIError(BAD_RESUMPTION_TOKEN, "ListSets is never split; no token is valid.")
    sets = selectors.oai_sets()
    yield ("<ListSets>\n" + "".join(_set_xml(s) for s in sets) + "</ListSets>\n").encode()


def get_record(identifier: str, prefix: str) -> Iterator[bytes]:
    item = _item(identifier)
    fmt = _format(prefix)
    if fmt.requires_doi and not item.has_doi:
        raise OAIError(
            CANNOT_DISSEMINATE_FORMAT,
            f"This record has no DOI, so it has no {prefix} metadata; oai_dc is available.",
        )
    yield b"<GetRecord>\n"
    yield from _records([item], fmt)
    yield b"</GetRecord>\n"


def _list_state(request: OAIRequest, now: datetime.datetime) -> ListState:
    """The state of a list request: decoded from its token, or fresh for a first request."""
    if request.resumption_token is not None:
        return decode_token(request.resumption_token, verb=request.verb)
    prefix = request.metadata_prefix or ""
    _format(prefix)
    # The harvest's upper bound is fixed now: records that change while it runs move past
    # it and are not sent twice (nor out of order); the next incremental harvest, from this
    # responseDate, picks them up. (A save whose transaction commits after this instant but
    # took its timestamp before it is the one change a harvester relying on responseDate can
    # miss: datestamps are written by the saving transaction, as in every OAI-PMH provider
    # that reads them from the records.)
    upper = now
    if request.until is not None:
        upper = min(upper, request.until.last_instant)
    return ListState(
        verb=request.verb,
        metadata_prefix=prefix,
        set_spec=request.set_spec,
        lower=request.from_.first_instant if request.from_ else None,
        upper=upper,
        after=None,
        cursor=0,
        complete_list_size=-1,
        deleted_rows=selectors.deleted_rows_exist(),
    )


def list_items(request: OAIRequest, now: datetime.datetime) -> Iterator[bytes]:
    """ListIdentifiers and ListRecords (§4.3, §4.5)."""
    state = _list_state(request, now)
    fmt = _format(state.metadata_prefix)
    query = selectors.ListQuery(
        set_spec=state.set_spec,
        lower=state.lower,
        upper=state.upper,
        requires_doi=fmt.requires_doi,
        deleted_rows=state.deleted_rows,
    )
    page_size = settings.OAI_PAGE_SIZE
    items, more = selectors.items_page(query, after=state.after, limit=page_size)
    if not items:
        # Also mid-harvest, if every remaining record changed since the last response (they
        # moved past the harvest's upper bound): the schema allows no empty list.
        raise OAIError(NO_RECORDS_MATCH, "No record matches these arguments.")

    size = state.complete_list_size
    if size < 0:
        # Counted once, at the start of a harvest that needs more than one response, and
        # carried in the tokens: exact when counted, approximate (as §3.5 allows) if records
        # change during the harvest, and a million-record harvest pays for it once.
        # Harvesters repeat the same first request, so the count is shared for a short time.
        # (never fewer than this response sends and the one item known to follow).
        if more:
            shared = selectors.items_count_shared(query, open_ended=state.upper == now)
            size = max(shared, len(items) + 1)
        else:
            size = len(items)

    token = ""
    if more or state.after is not None:
        sent = state.cursor + len(items)
        if more:
            next_state = ListState(
                verb=state.verb,
                metadata_prefix=state.metadata_prefix,
                set_spec=state.set_spec,
                lower=state.lower,
                upper=state.upper,
                after=items[-1].key,
                cursor=sent,
                complete_list_size=max(size, sent + 1),
                deleted_rows=state.deleted_rows,
            )
            expires = format_datestamp(now + token_lifetime())
            token = (
                f'<resumptionToken expirationDate="{expires}" completeListSize="{size}" '
                f'cursor="{state.cursor}">{_text(encode_token(next_state))}</resumptionToken>\n'
            )
        else:
            # §3.5: the last response of a split list carries an empty resumptionToken.
            token = (
                f'<resumptionToken completeListSize="{max(size, sent)}" cursor="{state.cursor}"/>\n'
            )

    verb = request.verb
    yield f"<{verb}>\n".encode()
    if verb == LIST_RECORDS:
        yield from _records(items, fmt)
    else:
        for start in range(0, len(items), METADATA_BATCH):
            batch = items[start : start + METADATA_BATCH]
            yield "".join(_header(item) + "\n" for item in batch).encode()
    yield f"{token}</{verb}>\n".encode()


def respond(request: OAIRequest, *, now: datetime.datetime) -> Iterator[bytes]:
    """The whole response document for a valid request; raises OAIError before any output."""
    if request.verb == IDENTIFY:
        body = identify()
    elif request.verb == LIST_METADATA_FORMATS:
        body = list_metadata_formats(request.identifier)
    elif request.verb == LIST_SETS:
        body = list_sets(request.resumption_token)
    elif request.verb == GET_RECORD:
        body = get_record(request.identifier or "", request.metadata_prefix or "")
    elif request.verb in (LIST_IDENTIFIERS, LIST_RECORDS):
        body = list_items(request, now)
    else:  # parse_request lets no other verb through
        raise AssertionError(request.verb)
    # Run the checks (everything up to the first yield) now, so that an OAIError becomes
    # an error document rather than a broken stream.
    first = next(body)
    echoed = {"verb": request.verb, **request.arguments}
    return _stream(_start(now, echoed).encode(), first, body)


def _stream(head: bytes, first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield head + first
    yield from rest
    yield _END.encode()
