"""OAI-PMH 2.0 requests: verbs, arguments, dates and errors, as plain functions.

Nothing here touches the database: :func:`parse_request` turns the request's arguments into an
:class:`OAIRequest` or raises :class:`OAIError` with the error codes of the specification
(http://www.openarchives.org/OAI/openarchivesprotocol.html, §3.6).
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# §3.6 error codes
BAD_ARGUMENT = "badArgument"
BAD_RESUMPTION_TOKEN = "badResumptionToken"  # noqa: S105 (an error code)
BAD_VERB = "badVerb"
CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
ID_DOES_NOT_EXIST = "idDoesNotExist"
NO_RECORDS_MATCH = "noRecordsMatch"
NO_METADATA_FORMATS = "noMetadataFormats"
NO_SET_HIERARCHY = "noSetHierarchy"

IDENTIFY = "Identify"
LIST_METADATA_FORMATS = "ListMetadataFormats"
LIST_SETS = "ListSets"
LIST_IDENTIFIERS = "ListIdentifiers"
LIST_RECORDS = "ListRecords"
GET_RECORD = "GetRecord"

# Per verb (§4): required arguments, optional arguments, and whether a resumptionToken (an
# exclusive argument, §3.4) is accepted.
_REQUIRED: dict[str, frozenset[str]] = {
    IDENTIFY: frozenset(),
    LIST_METADATA_FORMATS: frozenset(),
    LIST_SETS: frozenset(),
    LIST_IDENTIFIERS: frozenset({"metadataPrefix"}),
    LIST_RECORDS: frozenset({"metadataPrefix"}),
    GET_RECORD: frozenset({"identifier", "metadataPrefix"}),
}
_OPTIONAL: dict[str, frozenset[str]] = {
    IDENTIFY: frozenset(),
    LIST_METADATA_FORMATS: frozenset({"identifier"}),
    LIST_SETS: frozenset(),
    LIST_IDENTIFIERS: frozenset({"from", "until", "set"}),
    LIST_RECORDS: frozenset({"from", "until", "set"}),
    GET_RECORD: frozenset(),
}
_RESUMABLE = frozenset({LIST_SETS, LIST_IDENTIFIERS, LIST_RECORDS})
VERBS = tuple(_REQUIRED)

# OAI-PMH.xsd: metadataPrefixType and setSpecType
METADATA_PREFIX_RE = re.compile(r"[A-Za-z0-9\-_\.!~\*'\(\)]+")
SET_SPEC_RE = re.compile(r"([A-Za-z0-9\-_\.!~\*'\(\)])+(:[A-Za-z0-9\-_\.!~\*'\(\)]+)*")

# §3.3.1: UTCdatetime, "YYYY-MM-DD" or "YYYY-MM-DDThh:mm:ssZ"; the repository's granularity
# is seconds, so both are accepted.
_DAY_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_SECONDS_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z")
DAY = "day"
SECONDS = "seconds"
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"

# Characters XML 1.0 forbids (§2.2 of XML 1.0): C0 controls but tab, LF and CR; surrogates;
# U+FFFE and U+FFFF. They must never reach a response, even when echoing bad input.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _XML_INVALID_RE.sub("\ufffd", text)


class OAIError(Exception):
    """One or more OAI-PMH errors; the response is HTTP 200 with these <error> elements."""

    def __init__(self, code: str, message: str, *more: tuple[str, str]):
        super().__init__(message)
        self.errors: list[tuple[str, str]] = [(code, message), *more]

    @property
    def code(self) -> str:
        return self.errors[0][0]

    @property
    def echo_arguments(self) -> bool:
        """§3.2: after badVerb or badArgument the <request> element carries no attributes."""
        return not any(code in (BAD_VERB, BAD_ARGUMENT) for code, _ in self.errors)


@dataclass(frozen=True)
class UTCBound:
    """A from/until argument: the instant, the granularity it was given in, the raw text."""

    value: datetime.datetime
    granularity: str
    text: str

    @property
    def first_instant(self) -> datetime.datetime:
        return self.value

    @property
    def last_instant(self) -> datetime.datetime:
        """The last microsecond the argument covers: bounds are inclusive (§3.3.1)."""
        step = datetime.timedelta(days=1 if self.granularity == DAY else 0)
        step += datetime.timedelta(seconds=0 if self.granularity == DAY else 1)
        return self.value + step - datetime.timedelta(microseconds=1)


def parse_utc(text: str, name: str) -> UTCBound:
    """Parse a from/until argument, or raise badArgument naming it."""
    try:
        if match := _SECONDS_RE.fullmatch(text):
            y, mo, d, h, mi, s = map(int, match.groups())
            value = datetime.datetime(y, mo, d, h, mi, s, tzinfo=datetime.UTC)
            return UTCBound(value, SECONDS, text)
        if match := _DAY_RE.fullmatch(text):
            y, mo, d = map(int, match.groups())
            return UTCBound(datetime.datetime(y, mo, d, tzinfo=datetime.UTC), DAY, text)
    except ValueError:
        pass  # 2024-02-30 and the like: well-formed, but not a date
    raise OAIError(
        BAD_ARGUMENT,
        f"The '{name}' argument must be a UTC date YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, "
        f"not {xml_safe(text)!r}.",
    )


def format_datestamp(value: datetime.datetime) -> str:
    """A datestamp in the repository's granularity (seconds, UTC, §3.3)."""
    return value.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class OAIRequest:
    """A valid request: the verb and its arguments as given (``arguments`` is echoed)."""

    verb: str
    arguments: dict[str, str] = field(default_factory=dict)
    from_: UTCBound | None = None
    until: UTCBound | None = None

    @property
    def metadata_prefix(self) -> str | None:
        return self.arguments.get("metadataPrefix")

    @property
    def identifier(self) -> str | None:
        return self.arguments.get("identifier")

    @property
    def set_spec(self) -> str | None:
        return self.arguments.get("set")

    @property
    def resumption_token(self) -> str | None:
        return self.arguments.get("resumptionToken")


def parse_request(items: Iterable[tuple[str, list[str]]]) -> OAIRequest:
    """Validate the request's arguments (pairs of name and all its values) against §3.1 and §4.

    Raises OAIError(badVerb) for a missing, repeated or unknown verb, and OAIError(badArgument)
    listing every illegal, repeated, missing or malformed argument.
    """
    values: dict[str, list[str]] = {}
    for name, given in items:
        values.setdefault(name, []).extend(given)
    verbs = values.pop("verb", [])
    if len(verbs) != 1:
        raise OAIError(
            BAD_VERB,
            "The verb argument is missing." if not verbs else "The verb argument is repeated.",
        )
    verb = verbs[0]
    if verb not in _REQUIRED:
        raise OAIError(
            BAD_VERB, f"{xml_safe(verb)!r} is not an OAI-PMH verb; use one of {', '.join(VERBS)}."
        )

    problems: list[str] = []
    repeated = sorted(name for name, given in values.items() if len(given) > 1)
    if repeated:
        problems.append("Repeated argument(s): " + ", ".join(map(xml_safe, repeated)) + ".")
    arguments = {name: given[-1] for name, given in values.items()}

    if "resumptionToken" in arguments and verb in _RESUMABLE:
        others = sorted(set(arguments) - {"resumptionToken"})
        if others:
            problems.append(
                "resumptionToken is an exclusive argument; remove "
                + ", ".join(map(xml_safe, others))
                + "."
            )
    else:
        allowed = _REQUIRED[verb] | _OPTIONAL[verb]
        illegal = sorted(set(arguments) - allowed)
        if illegal:
            problems.append(
                f"{verb} does not take the argument(s) "
                + ", ".join(map(xml_safe, illegal))
                + (f"; it takes {', '.join(sorted(allowed))}." if allowed else "; it takes none.")
            )
        missing = sorted(_REQUIRED[verb] - set(arguments))
        if missing:
            problems.append(f"{verb} needs the argument(s) {', '.join(missing)}.")
    for name, value in arguments.items():
        if value == "":
            problems.append(f"The {xml_safe(name)} argument is empty.")

    prefix = arguments.get("metadataPrefix")
    if prefix and not METADATA_PREFIX_RE.fullmatch(prefix):
        problems.append(f"{xml_safe(prefix)!r} is not a well-formed metadataPrefix.")
    set_spec = arguments.get("set")
    if set_spec and not SET_SPEC_RE.fullmatch(set_spec):
        problems.append(f"{xml_safe(set_spec)!r} is not a well-formed setSpec.")

    from_ = until = None
    for name in ("from", "until"):
        if arguments.get(name) and name in _OPTIONAL[verb] and "resumptionToken" not in arguments:
            try:
                bound = parse_utc(arguments[name], name)
            except OAIError as exc:
                problems.append(exc.errors[0][1])
                continue
            if name == "from":
                from_ = bound
            else:
                until = bound
    if from_ and until:
        if from_.granularity != until.granularity:
            problems.append("The from and until arguments must have the same granularity.")
        elif from_.value > until.value:
            problems.append("The from argument must be less than or equal to until.")

    if problems:
        raise OAIError(BAD_ARGUMENT, " ".join(problems))
    return OAIRequest(verb=verb, arguments=arguments, from_=from_, until=until)
