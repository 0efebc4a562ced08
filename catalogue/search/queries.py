"""Search requests: parsing what people and API clients send, and the query language.

:func:`parse_search_params` turns query parameters (the page's URL or ``GET /api/v1/search``)
into a validated :class:`SearchQuery`, or raises :class:`SearchInputError` naming the
parameter and the problem (a 400, never a 500). Both backends take the same SearchQuery; the
Elasticsearch request body is built by :func:`elasticsearch_body`.

The query box understands a small, forgiving language (the same on both backends)::

    lysozyme 100 K            every word must occur (in any field)
    "pair distribution"       a phrase
    saxs OR waxs              either
    -calibration, NOT cal…    without
    (saxs OR sans) micelles   grouping
    lyso*                     words starting with "lyso"
    10.99999/yv37v-eerkhc     a DOI (or a dataset PID) finds that record

Unbalanced quotes or parentheses and dangling operators are errors that say where they are.

Scientific-metadata conditions are ``key:op:value[:unit]`` (see :class:`Condition`).
"""

import datetime
import math
import re
import uuid
from dataclasses import dataclass, field

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalogue.models.dataset import Status
from catalogue.search import units

FACETS = (
    "facility",
    "instrument",
    "technique",
    "resource_type",
    "keyword",
    "license",
    "publication_year",
    "has_doi",
)
# Facets only for callers who may see records before publication (members of a record's groups,
# its creator, curators: ``catalogue.access.user_sees_unpublished``). Anonymous visitors' facet
# list, and what the API answers them, stay FACETS exactly.
STATUS_FACET = "status"
MEMBER_FACETS = (STATUS_FACET,)
ALL_FACETS = FACETS + MEMBER_FACETS
# What the status facet offers: the lifecycle's statuses (the one table of choices, with its
# labels) but withdrawn, whose records are tombstones in no one's lists.
SEARCHABLE_STATUSES = tuple(s for s in Status.values if s != Status.WITHDRAWN)
FACET_LABELS = {
    # Page labels (gettext_lazy); facility, instrument and technique follow PORTAL_LABELS
    # (catalogue.search.views.facet_label).
    "facility": _("Facility"),
    "instrument": _("Instrument"),
    "technique": _("Technique"),
    "resource_type": _("Resource type"),
    "keyword": _("Keyword"),
    "license": _("Licence"),
    "publication_year": _("Publication year"),
    "has_doi": _("Has DOI"),
    "status": _("Status"),
}
SORTS = ("relevance", "newest", "oldest", "title")
SORT_LABELS = {
    "relevance": _("Best match"),
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "title": _("Title A-Z"),
}
OPERATORS = ("eq", "ne", "gt", "gte", "lt", "lte", "contains", "between")
OPERATOR_LABELS = {
    "eq": "=",
    "ne": "≠",
    "gt": ">",
    "gte": "≥",
    "lt": "<",
    "lte": "≤",
    "between": _("between"),
    "contains": _("contains"),
}
NUMERIC_OPERATORS = ("gt", "gte", "lt", "lte", "between")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
# Elasticsearch's index.max_result_window: deeper pages need search_after, not page numbers.
MAX_RESULT_WINDOW = 10_000
MAX_QUERY_LENGTH = 1000
MAX_TERMS = 64
MAX_FACET_VALUES = 50
MAX_CONDITIONS = 20
MAX_KEY_LENGTH = 300
# Relative tolerance of "eq" on numbers: unit conversion leaves float noise
# (12.7 keV and 12700 eV differ in the 16th digit once in SI).
EQ_TOLERANCE = 1e-9
PANET_BASE = "http://purl.org/pan-science/PaNET/"
TRUE_WORDS = {"true", "yes", "1", "on"}
FALSE_WORDS = {"false", "no", "0", "off"}


class SearchInputError(ValueError):
    """Bad search input: ``parameter`` names what was wrong, the message says why."""

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter
        self.message = message


# ----------------------------------------------------------------- query language --
@dataclass(frozen=True)
class Term:
    text: str
    prefix: bool = False  # "lyso*"
    phrase: bool = False  # '"pair distribution"'

    @property
    def identifier(self) -> tuple[str, str] | None:
        """("doi", "10.99999/…") or ("pid", "<uuid>") when the term names one record."""
        return identifier_in(self.text)


@dataclass(frozen=True)
class Not:
    child: "Node"


@dataclass(frozen=True)
class And:
    children: tuple["Node", ...]


@dataclass(frozen=True)
class Or:
    children: tuple["Node", ...]


Node = Term | Not | And | Or

_DOI = re.compile(r"^(?:doi:|https?://(?:dx\.)?doi\.org/)?(10\.\d{4,9}/\S+)$", re.IGNORECASE)


def identifier_in(text: str) -> tuple[str, str] | None:
    text = text.strip()
    match = _DOI.match(text)
    if match:
        return "doi", match.group(1).lower()
    try:
        return "pid", str(uuid.UUID(text))
    except ValueError:
        return None


_WORD = re.compile(r'[^\s()"]+')
_HAS_WORD_CHARACTER = re.compile(r"\w")


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, value, position): kinds are word, phrase, open, close, and, or, not."""
    tokens: list[tuple[str, str, int]] = []
    i = 0
    while i < len(text):
        ch = text[i]
        if ch.isspace():
            i += 1
        elif ch == "(":
            tokens.append(("open", ch, i))
            i += 1
        elif ch == ")":
            tokens.append(("close", ch, i))
            i += 1
        elif ch == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise SearchInputError(
                    "q",
                    gettext('The query has an unclosed quotation mark (") at character %(at)s.')
                    % {"at": i + 1},
                )
            tokens.append(("phrase", text[i + 1 : end], i))
            i = end + 1
        else:
            match = _WORD.match(text, i)
            word = match.group(0)
            if word in ("AND", "&&"):
                tokens.append(("and", word, i))
            elif word in ("OR", "||", "|"):
                tokens.append(("or", word, i))
            elif word == "NOT":
                tokens.append(("not", word, i))
            elif word.startswith("-") and len(word) > 1 and not word[1:2].isdigit():
                tokens.append(("not", "-", i))
                tokens.append(("word", word[1:], i + 1))
            elif word.startswith("+") and len(word) > 1:
                tokens.append(("word", word[1:], i + 1))
            else:
                tokens.append(("word", word, i))
            i = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str):
        self.tokens = _tokens(text)
        self.pos = 0
        self.terms = 0

    def peek(self) -> tuple[str, str, int] | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> tuple[str, str, int]:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node | None:
        if not self.tokens:
            return None
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            kind, value, at = token
            if kind == "close":
                raise SearchInputError(
                    "q",
                    gettext("The query has a ')' at character %(at)s with no '(' before it.")
                    % {"at": at + 1},
                )
            raise SearchInputError(
                "q",
                gettext("Unexpected %(value)s at character %(at)s.")
                % {"value": repr(value), "at": at + 1},
            )
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token[0] == "or":
            self.take()
            if self.peek() is None or self.peek()[0] in ("close", "or", "and"):
                raise SearchInputError(
                    "q",
                    gettext("'%(word)s' at character %(at)s needs a term after it.")
                    % {"word": token[1], "at": token[2] + 1},
                )
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.unary()]
        while (token := self.peek()) is not None and token[0] not in ("or", "close"):
            if token[0] == "and":
                self.take()
                nxt = self.peek()
                if nxt is None or nxt[0] in ("close", "or", "and"):
                    raise SearchInputError(
                        "q",
                        gettext("'%(word)s' at character %(at)s needs a term after it.")
                        % {"word": token[1], "at": token[2] + 1},
                    )
            children.append(self.unary())
        return children[0] if len(children) == 1 else And(tuple(children))

    def unary(self) -> Node:
        token = self.peek()
        if token is None:
            raise SearchInputError("q", gettext("The query ends where a term was expected."))
        kind, value, at = token
        if kind == "not":
            self.take()
            nxt = self.peek()
            if nxt is None or nxt[0] in ("close", "or", "and"):
                raise SearchInputError(
                    "q",
                    gettext("'%(word)s' at character %(at)s needs a term after it.")
                    % {"word": value, "at": at + 1},
                )
            return Not(self.unary())
        return self.primary()

    def primary(self) -> Node:
        kind, value, at = self.take()
        if kind == "open":
            nxt = self.peek()
            if nxt is None:
                raise SearchInputError(
                    "q",
                    gettext("The query has a '(' at character %(at)s that is never closed.")
                    % {"at": at + 1},
                )
            if nxt[0] == "close":
                raise SearchInputError(
                    "q", gettext("Empty parentheses at character %(at)s.") % {"at": at + 1}
                )
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing[0] != "close":
                raise SearchInputError(
                    "q",
                    gettext("The query has a '(' at character %(at)s that is never closed.")
                    % {"at": at + 1},
                )
            self.take()
            return node
        if kind == "close":
            raise SearchInputError(
                "q",
                gettext("The query has a ')' at character %(at)s with no '(' before it.")
                % {"at": at + 1},
            )
        if kind in ("and", "or"):
            raise SearchInputError(
                "q",
                gettext("'%(word)s' at character %(at)s needs a term before it.")
                % {"word": value, "at": at + 1},
            )
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise SearchInputError(
                "q", gettext("The query has more than %(n)s terms.") % {"n": MAX_TERMS}
            )
        if kind == "phrase":
            text = " ".join(value.split())
            return Term(text, phrase=True)
        prefix = value.endswith("*") and len(value.rstrip("*")) > 0
        text = value.rstrip("*") if prefix else value
        if not text.strip("*"):
            raise SearchInputError(
                "q",
                gettext("'%(word)s' at character %(at)s is not a search term.")
                % {"word": value, "at": at + 1},
            )
        return Term(text, prefix=prefix)


def _drop_empty(node: Node | None) -> Node | None:
    """Empty phrases ("") mean nothing; drop them and whatever becomes empty."""
    if node is None:
        return None
    if isinstance(node, Term):
        # A term without a letter or digit ("-", "*") matches nothing on either backend.
        return node if _HAS_WORD_CHARACTER.search(node.text) else None
    if isinstance(node, Not):
        child = _drop_empty(node.child)
        return Not(child) if child is not None else None
    children = tuple(c for c in (_drop_empty(c) for c in node.children) if c is not None)
    if not children:
        return None
    if len(children) == 1:
        return children[0]
    return type(node)(children)


def parse_text_query(text: str) -> Node | None:
    """The query box's text as a tree (None when empty), or SearchInputError."""
    if len(text) > MAX_QUERY_LENGTH:
        raise SearchInputError(
            "q", gettext("The query is longer than %(n)s characters.") % {"n": MAX_QUERY_LENGTH}
        )
    return _drop_empty(_Parser(text).parse())


def positive_terms(node: Node | None) -> list[Term]:
    """The terms a match must contain (for highlighting snippets)."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [node]
    return [t for child in node.children for t in positive_terms(child)]


# ---------------------------------------------------------------------- conditions --
@dataclass(frozen=True)
class Condition:
    """``key:op:value[:unit]`` on scientific metadata.

    Numbers compare in SI base units when a unit is given (pint), so 300 K matches 26.85 degC;
    without a unit they compare as stored. ``eq``/``ne`` on text compare case-insensitively;
    ``contains`` wants every word of the value in the text (a trailing ``*`` makes the last
    word a prefix). ``between`` takes ``low..high`` (inclusive).
    """

    key: str
    op: str
    value: str
    unit: str = ""
    number: float | None = None  # the value, when numeric
    low: float | None = None  # between
    high: float | None = None
    si_unit: str | None = None
    si_number: float | None = None
    si_low: float | None = None
    si_high: float | None = None

    @property
    def param(self) -> str:
        """The canonical ``cond`` parameter."""
        text = f"{self.key}:{self.op}:{self.value}"
        if self.unit:
            return f"{text}:{self.unit}"
        return f"{text}:" if ":" in self.value else text

    @property
    def is_numeric(self) -> bool:
        return self.number is not None or self.low is not None

    def bounds(self, *, si: bool) -> dict[str, float]:
        """Range bounds for numeric operators (gt/gte/lt/lte/between, and eq's tolerance)."""
        number = self.si_number if si else self.number
        low = self.si_low if si else self.low
        high = self.si_high if si else self.high
        if self.op == "between":
            return {"gte": low, "lte": high}
        if self.op in ("gt", "gte", "lt", "lte"):
            return {self.op: number}
        tolerance = abs(number) * EQ_TOLERANCE
        return {"gte": number - tolerance, "lte": number + tolerance}

    def describe(self) -> str:
        """For people: 'sample.temperature > 300 K'."""
        value = self.value.replace("..", " and ") if self.op == "between" else self.value
        unit = f" {self.unit}" if self.unit else ""
        return f"{self.key} {OPERATOR_LABELS[self.op]} {value}{unit}"


def _number(text: str) -> float | None:
    try:
        value = float(text.strip())
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_condition(raw: str) -> Condition:
    """Parse one ``cond`` parameter; SearchInputError names what is wrong with it."""
    shown = raw if len(raw) <= 80 else raw[:80] + "…"
    parts = raw.split(":", 2)
    if len(parts) < 3:
        raise SearchInputError(
            "cond",
            gettext(
                "cond %(cond)s: expected key:operator:value[:unit], e.g. "
                "sample.temperature:gt:300:K."
            )
            % {"cond": repr(shown)},
        )
    key, op, rest = parts[0].strip(), parts[1].strip().lower(), parts[2]
    value, unit = rest.rsplit(":", 1) if ":" in rest else (rest, "")
    return make_condition(key=key, op=op, value=value, unit=unit, shown=shown)


def make_condition(*, key: str, op: str, value: str, unit: str = "", shown: str = "") -> Condition:
    """A validated Condition from its parts (``parse_condition`` and other query languages,
    e.g. PaNOSC parameter scopes); SearchInputError names what is wrong."""
    key, op = key.strip(), op.strip().lower()
    shown = shown or f"{key}:{op}:{value}" + (f":{unit}" if unit else "")
    if not key:
        raise SearchInputError(
            "cond", gettext("cond %(cond)s: the key is empty.") % {"cond": repr(shown)}
        )
    if len(key) > MAX_KEY_LENGTH:
        raise SearchInputError(
            "cond", gettext("cond %(cond)s: the key is too long.") % {"cond": repr(shown)}
        )
    if op not in OPERATORS:
        raise SearchInputError(
            "cond",
            gettext("cond %(cond)s: unknown operator %(op)s; use one of %(ops)s.")
            % {"cond": repr(shown), "op": repr(op), "ops": ", ".join(OPERATORS)},
        )
    value, unit = value.strip(), unit.strip()
    if not value:
        raise SearchInputError(
            "cond", gettext("cond %(cond)s: the value is empty.") % {"cond": repr(shown)}
        )
    if op == "contains" and unit:
        raise SearchInputError(
            "cond",
            gettext("cond %(cond)s: contains compares text; leave out the unit.")
            % {"cond": repr(shown)},
        )
    fields: dict = {"key": key, "op": op, "value": value, "unit": unit}
    if op == "between":
        low_text, sep, high_text = value.partition("..")
        low, high = _number(low_text), _number(high_text)
        if not sep or low is None or high is None:
            raise SearchInputError(
                "cond",
                gettext("cond %(cond)s: between needs two numbers as low..high, e.g. 250..300.")
                % {"cond": repr(shown)},
            )
        if low > high:
            raise SearchInputError(
                "cond",
                gettext("cond %(cond)s: the lower bound %(low)s is above the upper bound.")
                % {"cond": repr(shown), "low": low_text},
            )
        fields.update(low=low, high=high)
    elif op in NUMERIC_OPERATORS or unit:
        number = _number(value)
        if number is None:
            why = (
                gettext("%(op)s compares numbers") % {"op": op}
                if op in NUMERIC_OPERATORS
                else gettext("a unit needs a number")
            )
            raise SearchInputError(
                "cond",
                gettext("cond %(cond)s: %(value)s is not a number (%(why)s).")
                % {"cond": repr(shown), "value": repr(value), "why": why},
            )
        fields["number"] = number
    elif op in ("eq", "ne"):
        fields["number"] = _number(value)
    if unit:
        try:
            fields["si_unit"] = units.si_unit(unit)
            if op == "between":
                fields["si_low"] = units.to_si(fields["low"], unit).value
                fields["si_high"] = units.to_si(fields["high"], unit).value
            else:
                fields["si_number"] = units.to_si(fields["number"], unit).value
        except units.UnitError as exc:
            raise SearchInputError("cond", f"cond {shown!r}: {exc}") from exc
        except Exception as exc:  # pint's own errors, overflow of logarithmic units
            raise SearchInputError(
                "cond",
                gettext("cond %(cond)s: %(value)s cannot be converted from %(unit)s.")
                % {"cond": repr(shown), "value": repr(value), "unit": repr(unit)},
            ) from exc
    return Condition(**fields)


@dataclass(frozen=True)
class KeyUnits:
    """What a key holds among the datasets a user may see (for unit compatibility)."""

    key: str
    count: int
    si_units: frozenset[str]
    units: tuple[str, ...]


def check_condition_units(conditions, key_units: dict[str, KeyUnits]) -> None:
    """400 for a unit that cannot compare with any value stored under that key."""
    for cond in conditions:
        if not cond.unit:
            continue
        info = key_units.get(cond.key)
        if info is None or info.count == 0:
            continue  # no such key (for this user): simply no match
        if cond.si_unit in info.si_units:
            continue
        if not info.units:
            raise SearchInputError(
                "cond",
                gettext("cond %(cond)s: %(key)s has no units; leave out %(unit)s.")
                % {"cond": repr(cond.param), "key": cond.key, "unit": repr(cond.unit)},
            )
        raise SearchInputError(
            "cond",
            gettext(
                "cond %(cond)s: %(unit)s is not compatible with the units of %(key)s (%(units)s)."
            )
            % {
                "cond": repr(cond.param),
                "unit": repr(cond.unit),
                "key": cond.key,
                "units": ", ".join(info.units),
            },
        )


# ------------------------------------------------------------------- field tests --
# Dataset fields other query languages (PaNOSC's LoopBack filter) test directly, by the names
# both backends know. "pid" matches the portal pid or the DOI; "id" is the database key.
FIELD_TESTS = {
    "pid": ("eq", "ne", "in", "nin"),
    "title": ("eq", "ne", "in", "nin", "gt", "gte", "lt", "lte", "like", "nlike", "ilike",
              "nilike"),
    "created_at": ("eq", "ne", "gt", "gte", "lt", "lte", "between"),
    "total_size": ("eq", "ne", "gt", "gte", "lt", "lte", "between", "in", "nin"),
    "sample_name": ("eq", "ne", "in", "nin", "like", "nlike", "ilike", "nilike"),
    "instrument_code": ("in",),
    "technique_iri": ("in",),  # already expanded to narrower techniques (techniques.py)
    "id": ("in",),
    "nothing": ("eq",),  # matches no dataset (isPublic: false)
    # Membership: "<facility code>/proposal/<id>" and publication identifiers, as indexed.
    "proposal_pid": ("eq", "in"), "supplement_to": ("eq", "in"),
}  # fmt: skip
NEGATED = {"ne": "eq", "nin": "in", "nlike": "like", "nilike": "ilike"}


@dataclass(frozen=True)
class FieldTest:
    """One test on a dataset field: ``FieldTest("title", "ilike", "%lysozyme%")``.

    ``value`` is a string, number or datetime; a tuple for in/nin, (low, high) for between.
    like/ilike take SQL patterns (``%`` any run, ``_`` one character); a pattern without
    either matches as a substring. ilike ignores case; like does not.
    """

    field: str
    op: str
    value: object = None

    def __post_init__(self):
        if self.op not in FIELD_TESTS.get(self.field, ()):
            raise ValueError(f"FieldTest: {self.op!r} on {self.field!r} is not supported")


def like_regex(pattern: str) -> str:
    """A SQL LIKE pattern as an anchored regular expression (the syntax PostgreSQL and Python
    share); without ``%`` or ``_`` the pattern matches as a substring."""
    if "%" not in pattern and "_" not in pattern:
        return re.escape(pattern)
    parts = []
    for ch in pattern:
        parts.append(".*" if ch == "%" else "." if ch == "_" else re.escape(ch))
    return "^" + "".join(parts) + "$"


def like_wildcard(pattern: str) -> str:
    """A SQL LIKE pattern as an Elasticsearch wildcard (``*``/``?``), substring if plain."""
    escaped = re.sub(r"([?*\\])", r"\\\1", pattern)
    if "%" not in pattern and "_" not in pattern:
        return f"*{escaped}*"
    return escaped.replace("%", "*").replace("_", "?")


# A boolean tree of dataset predicates: text terms, scientific-metadata conditions and field
# tests under And/Or/Not (the same node types as the query box's language).
Where = Term | Condition | FieldTest | Not | And | Or


def where_conditions(node) -> list[Condition]:
    """Every Condition in a where tree (for unit checks)."""
    if node is None:
        return []
    if isinstance(node, Condition):
        return [node]
    if isinstance(node, Not):
        return where_conditions(node.child)
    if isinstance(node, And | Or):
        return [c for child in node.children for c in where_conditions(child)]
    return []


# ----------------------------------------------------------------------- the query --
@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    expression: Node | None = None
    filters: dict[str, tuple] = field(default_factory=dict)  # facet -> selected values
    year_min: int | None = None
    year_max: int | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    conditions: tuple[Condition, ...] = ()
    sort: str = ""  # "" = relevance (the default; without words: newest first)
    page: int = 1
    page_size: int = DEFAULT_PAGE_SIZE
    # Programmatic callers (PaNOSC) only: a predicate tree ANDed with the rest, an offset that
    # need not be a page boundary, no facet counts when nobody shows them, and what each
    # selected technique stands for (itself and its narrower techniques; selectors fill it).
    where: "Where | None" = None
    start: int | None = None
    facets: bool = True
    narrower: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # More fields of the search document for each hit (``SearchHit.source``), so a caller
    # that shows more than a result card needs no database; and whether the exact total is
    # counted at all (``SearchResult.total`` is None without: one search instead of two).
    source: tuple[str, ...] = ()
    count: bool = True
    # Every version of each record (all_versions=1); by default only the latest published
    # version of a record is found (Zenodo's "all versions" switch), drafts always.
    all_versions: bool = False
    # The caller may see unpublished records: the status facet is counted and may be selected
    # (``catalogue.search.selectors.search_datasets`` holds it to the gate).
    member_facets: bool = False
    # Programmatic callers (PaNOSC parameter scopes): conditions of ``where`` each hit says it
    # passed or not (``SearchHit.matched``: their positions here), so the caller need not
    # evaluate them again per entry. A backend may leave ``matched`` None (the database
    # backend does: the caller then evaluates the conditions itself).
    matched_entries: tuple[Condition, ...] = ()

    @property
    def facet_names(self) -> tuple[str, ...]:
        """The facets this search counts (and whose selections it applies)."""
        return ALL_FACETS if self.member_facets else FACETS

    @property
    def effective_sort(self) -> str:
        # Relevance without words ranks everything alike, so it is the newest first.
        return self.sort or "relevance"

    @property
    def offset(self) -> int:
        if self.start is not None:
            return self.start
        return (self.page - 1) * self.page_size

    def selected(self, facet: str) -> tuple:
        return self.filters.get(facet, ())

    @property
    def is_empty(self) -> bool:
        return (
            self.expression is None
            and not self.filters
            and not self.conditions
            and self.year_min is None
            and self.year_max is None
            and self.date_from is None
            and self.date_to is None
            and self.where is None
        )


def _int(params, name: str, *, low: int, high: int, default: int | None) -> int | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise SearchInputError(
            name,
            gettext("%(name)s must be a whole number, not %(value)s.")
            % {"name": name, "value": repr(raw[:40])},
        ) from exc
    if not low <= value <= high:
        raise SearchInputError(
            name,
            gettext("%(name)s must be between %(low)s and %(high)s.")
            % {"name": name, "low": low, "high": high},
        )
    return value


def _date(params, name: str) -> datetime.date | None:
    raw = (params.get(name) or "").strip()
    if not raw:
        return None
    try:
        return datetime.date.fromisoformat(raw)
    except ValueError as exc:
        raise SearchInputError(
            name,
            gettext("%(name)s must be a date as YYYY-MM-DD, not %(value)s.")
            % {"name": name, "value": repr(raw[:40])},
        ) from exc


def _bool_word(name: str, raw: str) -> str:
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return "true"
    if word in FALSE_WORDS:
        return "false"
    raise SearchInputError(
        name,
        gettext("%(name)s must be true or false, not %(value)s.")
        % {"name": name, "value": repr(raw[:40])},
    )


def normalise_technique(value: str) -> str:
    """PaNET ids become IRIs ("PaNET01188" -> http://purl.org/pan-science/PaNET/PaNET01188)."""
    if re.fullmatch(r"PaNET\d+", value):
        return PANET_BASE + value
    return value


def _facet_values(params, facet: str) -> tuple:
    raw = [v.strip() for v in params.getlist(facet) if v.strip()]
    if len(raw) > MAX_FACET_VALUES:
        raise SearchInputError(
            facet,
            gettext("At most %(n)s values of %(facet)s.") % {"n": MAX_FACET_VALUES, "facet": facet},
        )
    values: list = []
    for value in raw:
        if facet == "publication_year":
            try:
                year = int(value)
            except ValueError as exc:
                raise SearchInputError(
                    facet,
                    gettext("publication_year must be a year, not %(value)s.")
                    % {"value": repr(value[:40])},
                ) from exc
            values.append(year)
        elif facet == "has_doi":
            values.append(_bool_word(facet, value))
        elif facet == "technique":
            values.append(normalise_technique(value))
        elif facet == STATUS_FACET:
            if value not in SEARCHABLE_STATUSES:
                raise SearchInputError(
                    facet,
                    gettext("status must be one of %(choices)s, not %(value)s.")
                    % {"choices": ", ".join(SEARCHABLE_STATUSES), "value": repr(value[:40])},
                )
            values.append(value)
        else:
            if len(value) > 300:
                raise SearchInputError(
                    facet, gettext("A %(facet)s value is too long.") % {"facet": facet}
                )
            values.append(value)
    return tuple(dict.fromkeys(values))


def parse_search_params(params, *, member: bool = False) -> SearchQuery:
    """A SearchQuery from query parameters (a QueryDict, or anything with get/getlist).

    ``member``: the caller may see unpublished records (``access.user_sees_unpublished``), so
    ``status`` is a facet it may select; for everyone else the parameter means nothing, as
    before the facet existed."""
    text = (params.get("q") or "").strip()
    expression = parse_text_query(text)
    filters = {}
    for facet in ALL_FACETS if member else FACETS:
        values = _facet_values(params, facet)
        if values:
            filters[facet] = values
    year_min = _int(params, "year_min", low=1000, high=9999, default=None)
    year_max = _int(params, "year_max", low=1000, high=9999, default=None)
    if year_min is not None and year_max is not None and year_min > year_max:
        raise SearchInputError("year_min", gettext("year_min is after year_max."))
    date_from = _date(params, "date_from")
    date_to = _date(params, "date_to")
    if date_from and date_to and date_from > date_to:
        raise SearchInputError("date_from", gettext("date_from is after date_to."))
    raw_conditions = [c for c in params.getlist("cond") if c.strip()]
    if len(raw_conditions) > MAX_CONDITIONS:
        raise SearchInputError("cond", gettext("At most %(n)s conditions.") % {"n": MAX_CONDITIONS})
    conditions = tuple(parse_condition(c.strip()) for c in raw_conditions)
    sort = (params.get("sort") or "").strip().lower()
    if sort and sort not in SORTS:
        raise SearchInputError(
            "sort",
            gettext("sort must be one of %(choices)s, not %(value)s.")
            % {"choices": ", ".join(SORTS), "value": repr(sort[:40])},
        )
    if sort == "relevance":
        sort = ""  # the default: keeps URLs short
    page = _int(params, "page", low=1, high=MAX_RESULT_WINDOW, default=1)
    page_size = _int(params, "page_size", low=1, high=MAX_PAGE_SIZE, default=DEFAULT_PAGE_SIZE)
    if page * page_size > MAX_RESULT_WINDOW:
        raise SearchInputError(
            "page",
            gettext(
                "Only the first %(n)s results can be paged through "
                "(page * page_size <= %(max)s); narrow the search instead."
            )
            % {"n": f"{MAX_RESULT_WINDOW:,}", "max": MAX_RESULT_WINDOW},
        )
    all_versions = params.get("all_versions")
    all_versions = bool(all_versions) and _bool_word("all_versions", all_versions) == "true"
    return SearchQuery(
        all_versions=all_versions,
        text=text,
        expression=expression,
        filters=filters,
        year_min=year_min,
        year_max=year_max,
        date_from=date_from,
        date_to=date_to,
        conditions=conditions,
        sort=sort,
        page=page,
        page_size=page_size,
        member_facets=member,
    )


# ------------------------------------------------------- Elasticsearch request bodies --
# Fields the query box searches, with boosts: a word in the title counts most.
TEXT_FIELDS = [
    "title^4",
    "keywords^3",
    "creators^3",
    "techniques^2",
    "instrument^2",
    "facility^2",
    "proposal_title^1.5",
    "sample^1.5",
    "description",
    "scientific_text^0.5",
]
ES_FACET_FIELDS = {
    "facility": "facility.raw",
    "instrument": "instrument.raw",
    "technique": "techniques.raw",
    "resource_type": "resource_type",
    "keyword": "keywords.raw",
    "license": "license",
    "publication_year": "publication_year",
    "has_doi": "has_doi",
    "status": "status",
}
FACET_SIZES = {"keyword": 30, "publication_year": 40, "has_doi": 2}
SELECTED_SUFFIX = "__selected"
DEFAULT_FACET_SIZE = 50
SOURCE_FIELDS = [
    "pid",
    "doi",
    "title",
    "creator_names",
    "publication_year",
    "facility",
    "facility_short_name",
    "instrument",
    "techniques",
    "resource_type",
    "keywords",
    "status",
    "summary",
]


def _es_term(term: Term) -> dict:
    if term.phrase:
        text_clause = {"multi_match": {"query": term.text, "type": "phrase", "fields": TEXT_FIELDS}}
    elif term.prefix:
        text_clause = {
            "multi_match": {"query": term.text, "type": "phrase_prefix", "fields": TEXT_FIELDS}
        }
    else:
        text_clause = {
            "multi_match": {
                "query": term.text,
                # No tie_breaker: a pure dis_max lets Lucene skip blocks that cannot make the
                # top hits (block-max WAND); with one, "scattering" at 1M took 59 ms, not 4.
                "type": "best_fields",
                "operator": "and",
                "fields": TEXT_FIELDS,
            }
        }
    identifier = term.identifier
    if identifier is None:
        return text_clause
    kind, value = identifier
    return {
        "bool": {
            "should": [{"term": {kind: {"value": value, "boost": 20}}}, text_clause],
            "minimum_should_match": 1,
        }
    }


def es_text_clause(node: Node) -> dict:
    """The query tree as Elasticsearch bool/multi_match clauses."""
    if isinstance(node, Term):
        return _es_term(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [es_text_clause(node.child)]}}
    if isinstance(node, Or):
        return {
            "bool": {
                "should": [es_text_clause(c) for c in node.children],
                "minimum_should_match": 1,
            }
        }
    must = [es_text_clause(c) for c in node.children if not isinstance(c, Not)]
    must_not = [es_text_clause(c.child) for c in node.children if isinstance(c, Not)]
    clause: dict = {"must": must} if must else {"must": [{"match_all": {}}]}
    if must_not:
        clause["must_not"] = must_not
    return {"bool": clause}


def es_visibility_filter(principals: list[str] | None) -> list[dict]:
    """The access gate as a filter: documents readable by one of the user's principals.

    ``None`` (curators) needs no filter: withdrawn datasets are not in the index at all.
    """
    if principals is None:
        return []
    return [{"terms": {"principals": list(principals)}}]


def technique_values(values: tuple, narrower: dict | None) -> tuple[list[str], list[str]]:
    """(labels, IRIs) a technique selection stands for: with ``narrower`` (selectors fill it
    from the PaNET hierarchy) each value becomes its own and its narrower techniques' IRIs."""
    narrower = narrower or {}
    iris: list[str] = []
    labels: list[str] = []
    for v in values:
        if v in narrower:
            iris += narrower[v]
        elif v.startswith(("http://", "https://")):
            iris.append(v)
        else:
            labels.append(v)
    return labels, list(dict.fromkeys(iris))


def es_facet_filter(facet: str, values: tuple, narrower: dict | None = None) -> dict:
    field_name = ES_FACET_FIELDS[facet]
    if facet == "technique":
        labels, iris = technique_values(values, narrower)
        should = []
        if labels:
            should.append({"terms": {field_name: labels}})
        if iris:
            should.append({"terms": {"technique_iris": iris}})
        if not should:
            return {"match_none": {}}
        return {"bool": {"should": should, "minimum_should_match": 1}}
    if facet == "has_doi":
        return {"terms": {field_name: [v == "true" for v in values]}}
    return {"terms": {field_name: list(values)}}


def _es_condition_value(cond: Condition) -> dict:
    """The test on one nested entry (the key is matched separately)."""
    field_prefix = "scientific."
    if cond.op == "contains":
        words = cond.value.rstrip("*")
        if cond.value.endswith("*") and words:
            return {"match_phrase_prefix": {field_prefix + "text.words": {"query": words}}}
        return {"match": {field_prefix + "text.words": {"query": cond.value, "operator": "and"}}}
    if cond.unit:
        return {
            "bool": {
                "filter": [
                    {"term": {field_prefix + "si_unit": cond.si_unit}},
                    {"range": {field_prefix + "si_value": cond.bounds(si=True)}},
                ]
            }
        }
    if cond.is_numeric:
        numeric = {"range": {field_prefix + "number": cond.bounds(si=False)}}
        if cond.op in NUMERIC_OPERATORS:
            return numeric
        # eq/ne on a number without a unit: the number, or the same text ("42" stored as text).
        return {
            "bool": {
                "should": [numeric, {"term": {field_prefix + "text": cond.value.lower()}}],
                "minimum_should_match": 1,
            }
        }
    return {"term": {field_prefix + "text": cond.value.lower()}}


def es_condition(cond: Condition, *, name: str = "") -> dict:
    """A dataset with an entry under ``cond.key`` whose value passes the test; with a
    ``name``, each hit says whether it passed (``matched_queries``: cheap, unlike inner hits,
    which cost a search per hit)."""
    value = _es_condition_value(cond)
    key = {"term": {"scientific.key": cond.key}}
    inner = (
        {"bool": {"filter": [key], "must_not": [value]}}
        if cond.op == "ne"
        else {"bool": {"filter": [key, value]}}
    )
    nested: dict = {"path": "scientific", "query": inner, "score_mode": "none"}
    if name:
        nested["_name"] = name
    return {"nested": nested}


def condition_names(conditions) -> dict[Condition, str]:
    """A query name for each condition a search reports on (``SearchQuery.matched_entries``):
    its position there."""
    names: dict[Condition, str] = {}
    for n, c in enumerate(conditions):
        names.setdefault(c, f"matched-{n}")
    return names


# Where each FieldTest's field lives in the index.
ES_TEST_FIELDS = {
    "title": "title.exact",
    "created_at": "created_at",
    "total_size": "total_size",
    "sample_name": "sample_name",
    "instrument_code": "instrument_code",
    "technique_iri": "technique_iris",
    "proposal_pid": "proposal_pid",
    "supplement_to": "supplement_to",
}


def _es_value(value):
    return value.isoformat() if isinstance(value, datetime.date | datetime.datetime) else value


def es_field_test(test: FieldTest) -> dict:
    op = NEGATED.get(test.op, test.op)
    if test.op in NEGATED:
        return {"bool": {"must_not": [es_field_test(FieldTest(test.field, op, test.value))]}}
    if test.field == "nothing":
        return {"match_none": {}}
    if test.field == "id":
        return {"ids": {"values": [str(v) for v in test.value]}}
    if test.field == "pid":
        values = list(test.value) if op == "in" else [test.value]
        ids = [i for v in values if (i := identifier_in(str(v)))]
        pids = [value for kind, value in ids if kind == "pid"]
        dois = [value for kind, value in ids if kind == "doi"]
        should = ([{"terms": {"pid": pids}}] if pids else []) + (
            [{"terms": {"doi": dois}}] if dois else []
        )
        return (
            {"bool": {"should": should, "minimum_should_match": 1}}
            if should
            else {"match_none": {}}
        )
    name = ES_TEST_FIELDS[test.field]
    if op == "eq":
        return {"term": {name: _es_value(test.value)}}
    if op == "in":
        return {"terms": {name: [_es_value(v) for v in test.value]}}
    if op == "between":
        low, high = test.value
        return {"range": {name: {"gte": _es_value(low), "lte": _es_value(high)}}}
    if op in ("gt", "gte", "lt", "lte"):
        return {"range": {name: {op: _es_value(test.value)}}}
    return {
        "wildcard": {
            name: {"value": like_wildcard(str(test.value)), "case_insensitive": op == "ilike"}
        }
    }


def es_where(node, names: dict | None = None) -> dict:
    """A where tree (FieldTest, Condition and Term leaves) as a filter-context query.
    ``names`` (condition -> query name, consumed as used): the first occurrence of each of
    these conditions (outside a Not) is named, so hits say whether it held."""
    if isinstance(node, FieldTest):
        return es_field_test(node)
    if isinstance(node, Condition):
        return es_condition(node, name=names.pop(node, "") if names else "")
    if isinstance(node, Term):
        return _es_term(node)
    if isinstance(node, Not):
        return {"bool": {"must_not": [es_where(node.child)]}}
    if isinstance(node, Or):
        return {"bool": {"should": [es_where(c, names) for c in node.children],
                         "minimum_should_match": 1}}  # fmt: skip
    return {"bool": {"filter": [es_where(c, names) for c in node.children]}}


def es_range_filters(query: SearchQuery) -> list[dict]:
    filters: list[dict] = []
    if query.year_min is not None or query.year_max is not None:
        bounds = {}
        if query.year_min is not None:
            bounds["gte"] = query.year_min
        if query.year_max is not None:
            bounds["lte"] = query.year_max
        filters.append({"range": {"publication_year": bounds}})
    # The collection period overlaps [date_from, date_to] (whole days, UTC).
    if query.date_from is not None:
        start = query.date_from.isoformat()
        filters.append(
            {
                "bool": {
                    "should": [
                        {"range": {"collection_end": {"gte": start}}},
                        {
                            "bool": {
                                "must_not": [{"exists": {"field": "collection_end"}}],
                                "filter": [{"range": {"collection_start": {"gte": start}}}],
                            }
                        },
                    ],
                    "minimum_should_match": 1,
                }
            }
        )
    if query.date_to is not None:
        end = (query.date_to + datetime.timedelta(days=1)).isoformat()
        filters.append({"range": {"collection_start": {"lt": end}}})
    return filters


def es_sort(query: SearchQuery) -> list:
    tiebreak = {"pid_order": "asc"}  # the database backend breaks ties by pid likewise
    sort = query.effective_sort
    if sort == "relevance" and query.expression is not None:
        return ["_score", {"sort_date": {"order": "desc", "missing": "_last"}}, tiebreak]
    if sort == "oldest":
        return [{"sort_date": {"order": "asc", "missing": "_last"}}, tiebreak]
    if sort == "title":
        return [
            {"title_order": "asc"},
            {"title.sort": {"order": "asc", "missing": "_last"}},
            tiebreak,
        ]
    # newest, and relevance without words (every score equal: the same order, but with the
    # date as primary sort Elasticsearch can skip documents that cannot make the page).
    return [{"sort_date": {"order": "desc", "missing": "_last"}}, tiebreak]


def _es_facet_aggs(query: SearchQuery) -> dict:
    """One aggregation per facet; each ignores its own selection (post_filter pattern)."""
    aggs: dict = {}
    selected_filters = {f: es_facet_filter(f, v, query.narrower) for f, v in query.filters.items()}
    for facet in query.facet_names:
        field_name = ES_FACET_FIELDS[facet]
        order = (
            [{"_key": "desc"}]
            if facet in ("publication_year", "has_doi")
            else [{"_count": "desc"}, {"_key": "asc"}]
        )
        sub: dict = {
            "values": {
                "terms": {
                    "field": field_name,
                    "size": FACET_SIZES.get(facet, DEFAULT_FACET_SIZE),
                    "order": order,
                }
            }
        }
        chosen = query.selected(facet)
        if chosen and facet != "has_doi":
            # Selected values stay listed, with their counts, even outside the top buckets.
            sub["selected"] = {
                "filters": {
                    "filters": {
                        str(v): es_facet_filter(facet, (v,), query.narrower) for v in chosen
                    }
                }
            }
        others = [clause for f, clause in selected_filters.items() if f != facet]
        if others:
            aggs[facet] = {"filter": {"bool": {"filter": others}}, "aggs": sub}
        else:
            # Top level, unwrapped: Elasticsearch can then count low-cardinality terms
            # segment by segment ("filter by filter"), much faster on big indices.
            aggs[facet] = sub["values"]
            if "selected" in sub:
                aggs[f"{facet}{SELECTED_SUFFIX}"] = sub["selected"]
    return aggs


def _es_query(
    query: SearchQuery, principals: list[str] | None, *, facets: bool, named: bool = False
) -> dict:
    must = [es_text_clause(query.expression)] if query.expression is not None else []
    filters = es_visibility_filter(principals) + es_range_filters(query)
    filters += [es_condition(c) for c in query.conditions]
    must_not = [] if query.all_versions else [{"term": {"superseded": True}}]
    if query.where is not None:
        names = condition_names(query.matched_entries) if named else None
        filters.append(es_where(query.where, names))
    if facets:
        filters += [es_facet_filter(f, v, query.narrower) for f, v in query.filters.items()]
    bool_query: dict = {"filter": filters}
    if must:
        bool_query["must"] = must
    if must_not:  # must_not: documents indexed before versions existed lack the field
        bool_query["must_not"] = must_not
    return {"bool": bool_query}


def elasticsearch_hits_body(query: SearchQuery, principals: list[str] | None) -> dict:
    """One page of hits with highlights. No total and no aggregations: without them
    Elasticsearch may skip documents that cannot make the page (block-max WAND for relevance,
    point-based skipping for dates), which keeps deep pages fast at a million datasets."""
    body: dict = {
        "query": _es_query(query, principals, facets=True, named=True),
        "from": query.offset,
        "size": query.page_size,
        "track_total_hits": False,
        "sort": es_sort(query),
        "_source": [*SOURCE_FIELDS, *query.source] if query.source else SOURCE_FIELDS,
    }
    if positive_terms(query.expression):
        body["highlight"] = {
            "encoder": "html",  # the text around the marks is escaped: safe to render
            "pre_tags": ["<mark>"],
            "post_tags": ["</mark>"],
            "require_field_match": False,
            "fields": {
                "title": {"number_of_fragments": 0},
                "description": {"fragment_size": 180, "number_of_fragments": 2},
            },
        }
    return body


def elasticsearch_ids_body(query: SearchQuery, principals: list[str] | None, *, limit: int) -> dict:
    """Every match's ``_id`` (up to ``limit``; the total counted to ``limit + 1`` tells "more
    than limit"): a filter context (no scores), index order, no ``_source``."""
    return {
        "query": {"constant_score": {"filter": _es_query(query, principals, facets=True)}},
        "size": limit,
        "track_total_hits": limit + 1,
        "sort": ["_doc"],
        "_source": False,
    }


def elasticsearch_values_body(
    query: SearchQuery, principals: list[str] | None, *, fields: tuple[str, ...], limit: int
) -> dict:
    """The distinct values of keyword fields among all matches (up to ``limit + 1`` each,
    to tell "more than limit"): one terms aggregation per field, no hits."""
    return {
        "query": {"constant_score": {"filter": _es_query(query, principals, facets=True)}},
        "size": 0,
        "track_total_hits": False,
        "aggs": {f: {"terms": {"field": ES_TEST_FIELDS[f], "size": limit + 1}} for f in fields},
    }


def elasticsearch_counts_body(query: SearchQuery, principals: list[str] | None) -> dict:
    """The exact total and every facet's counts. The same for every page and sort order of a
    search, and ``size: 0``: Elasticsearch's shard request cache keeps it until the index
    changes, so paging and re-sorting do not count again."""
    if not query.facets:
        return {"query": _es_query(query, principals, facets=True), "size": 0,
                "track_total_hits": True}  # fmt: skip
    body: dict = {
        "query": _es_query(query, principals, facets=False),
        "size": 0,
        "track_total_hits": True,
        "aggs": _es_facet_aggs(query),
    }
    if query.filters:
        # Facet selections narrow the total but not the other facets' counts (see aggs).
        body["post_filter"] = {
            "bool": {
                "filter": [es_facet_filter(f, v, query.narrower) for f, v in query.filters.items()]
            }
        }
    return body


def elasticsearch_msearch(query: SearchQuery, principals: list[str] | None, index: str) -> list:
    """Both requests in one round trip; Elasticsearch runs them concurrently. Without
    ``query.count`` (and no facets) only the page of hits.

    No ``preference``: pinning each search to one shard copy (a digest of the search) would
    double the request cache's hit rate on a two-copy index, but it overrides adaptive
    replica selection, which mostly answers from the coordinating node's own copy; on the
    3-node stack the extra hops between nodes cost more CPU than the cache saved
    (docs/performance.md, ``es-search-cpu``). Nor is the page of hits cached: under a
    refresh every second its entries were dropped before they were used."""
    header = {"index": index, "ignore_unavailable": True, "allow_no_indices": True}
    if not query.count and not query.facets:
        return [header, elasticsearch_hits_body(query, principals)]
    return [
        header,
        elasticsearch_hits_body(query, principals),
        {**header, "request_cache": True},
        elasticsearch_counts_body(query, principals),
    ]


def _scientific_keys_body(principals: list[str] | None, key_filter: dict, keys: dict) -> dict:
    """A count of the scientific-metadata entries of visible datasets, per key: the ``keys``
    terms aggregation over the entries that pass ``key_filter``. Its buckets are read at
    aggregations.entries.chosen.keys (``backends.elasticsearch._key_buckets``)."""
    return {
        "size": 0,
        "query": {"bool": {"filter": es_visibility_filter(principals)}},
        "aggs": {
            "entries": {
                "nested": {"path": "scientific"},
                "aggs": {"chosen": {"filter": key_filter, "aggs": {"keys": keys}}},
            }
        },
    }


def elasticsearch_key_units_body(keys: list[str], principals: list[str] | None) -> dict:
    """Which units the given keys hold, among visible datasets (for 400 on incompatible units)."""
    return _scientific_keys_body(
        principals,
        {"terms": {"scientific.key": keys}},
        {
            "terms": {"field": "scientific.key", "size": len(keys)},
            "aggs": {
                "si_units": {"terms": {"field": "scientific.si_unit", "size": 50}},
                "units": {"terms": {"field": "scientific.unit", "size": 50}},
            },
        },
    )


def elasticsearch_keys_body(prefix: str, principals: list[str] | None, limit: int) -> dict:
    """Keys in use, most common first; ``prefix`` matches the start of the key or of any
    dotted segment ("temp" finds "sample.temperature"), ignoring case."""
    key_filter: dict = {"match_all": {}}
    if prefix:
        escaped = re.sub(r"([?*\\])", r"\\\1", prefix)
        key_filter = {
            "bool": {
                "should": [
                    {"prefix": {"scientific.key": {"value": prefix, "case_insensitive": True}}},
                    {
                        "wildcard": {
                            "scientific.key": {"value": f"*.{escaped}*", "case_insensitive": True}
                        }
                    },
                ],
                "minimum_should_match": 1,
            }
        }
    return _scientific_keys_body(
        principals,
        key_filter,
        {
            "terms": {
                "field": "scientific.key",
                "size": limit,
                "order": [{"_count": "desc"}, {"_key": "asc"}],
            },
            "aggs": {"units": {"terms": {"field": "scientific.unit", "size": 20}}},
        },
    )


# ------------------------------------------------------------------- back to a URL --
def search_params(query: SearchQuery, **overrides) -> list[tuple[str, str]]:
    """The query as URL parameters (canonical form): links keep the whole state.

    ``overrides`` replace single values (``page=2``, ``sort="title"``); a value of None drops
    the parameter.
    """
    pairs: list[tuple[str, str]] = []
    if query.text:
        pairs.append(("q", query.text))
    for facet in query.facet_names:
        pairs += [(facet, str(v)) for v in query.selected(facet)]
    for name in ("year_min", "year_max", "date_from", "date_to"):
        value = getattr(query, name)
        if value is not None:
            pairs.append((name, value.isoformat() if hasattr(value, "isoformat") else str(value)))
    pairs += [("cond", c.param) for c in query.conditions]
    if query.all_versions:
        pairs.append(("all_versions", "1"))
    if query.sort:
        pairs.append(("sort", query.sort))
    if query.page_size != DEFAULT_PAGE_SIZE:
        pairs.append(("page_size", str(query.page_size)))
    if query.page != 1:
        pairs.append(("page", str(query.page)))
    for name, value in overrides.items():
        pairs = [(k, v) for k, v in pairs if k != name]
        if value is not None:
            pairs.append((name, str(value)))
    return pairs
