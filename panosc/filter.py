"""The PaNOSC query language: LoopBack 3 filters (``doc/query.md`` of the PaNOSC search API).

:func:`parse_filter` validates a ``filter=`` JSON text against the data model (``MODELS``,
from ``common/models/*.json``) and returns a :class:`Filter`; :func:`parse_where` does the same
for the ``where=`` of the count endpoints. Anything malformed (bad JSON, unknown fields,
relations or operators, wrong value types, limits over the maximum) raises
:class:`FilterError` naming the problem and where it is, which the views answer with 400.

Supported, as LoopBack 3 documents them: ``where`` with ``and``/``or`` and the operators
eq (implicit), neq, gt, gte, lt, lte, between, inq, nin, like, nlike, ilike, nilike, plus the
PaNOSC ``text`` operator; ``include`` as a relation name, a list of names or of
``{"relation", "scope"}`` objects, with nested ``where``/``include``/``fields``/``limit``/
``skip`` in a scope; ``limit``, ``skip``, ``fields`` (a list or ``{"field": true}``).

:func:`matches` evaluates a where tree on one plain object (a dict of the data model): the
related objects embedded in answers are filtered with it. The datasets themselves are
searched by the catalogue's search backends (``panosc.translate``).
"""

import datetime
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from catalogue.search.queries import like_regex

MAX_LIMIT = 1000
DEFAULT_LIMIT = 100
MAX_SKIP = 100_000
MAX_FILTER_LENGTH = 20_000
MAX_DEPTH = 8
MAX_NODES = 200
MAX_LIST = 1000
MAX_STRING = 1000

STRING, NUMBER, BOOLEAN, DATE, ANY, STRINGS = (
    "string",
    "number",
    "boolean",
    "date",
    "any",
    "[string]",
)

# The data model (doc/data-model.md, common/models/*.json): fields and their types, relations
# and the model they lead to.
MODELS: dict[str, dict[str, dict[str, str]]] = {
    "Dataset": {
        "fields": {"pid": STRING, "title": STRING, "isPublic": BOOLEAN, "creationDate": DATE,
                   "size": NUMBER, "score": NUMBER},
        "relations": {"documents": "Document", "techniques": "Technique",
                      "instrument": "Instrument", "files": "File", "parameters": "Parameter",
                      "samples": "Sample"},
    },
    "Document": {
        "fields": {"pid": STRING, "isPublic": BOOLEAN, "type": STRING, "title": STRING,
                   "summary": STRING, "doi": STRING, "startDate": DATE, "endDate": DATE,
                   "releaseDate": DATE, "license": STRING, "keywords": STRINGS,
                   "score": NUMBER},
        "relations": {"datasets": "Dataset", "members": "Member", "parameters": "Parameter"},
    },
    "Instrument": {
        "fields": {"pid": STRING, "name": STRING, "facility": STRING, "score": NUMBER},
        "relations": {"datasets": "Dataset"},
    },
    "Technique": {
        "fields": {"pid": STRING, "name": STRING, "panetId": STRING},
        "relations": {"datasets": "Dataset"},
    },
    "File": {
        "fields": {"id": STRING, "name": STRING, "path": STRING, "size": NUMBER,
                   "datasetId": STRING},
        "relations": {"dataset": "Dataset"},
    },
    "Parameter": {
        "fields": {"id": STRING, "name": STRING, "value": ANY, "unit": STRING,
                   "datasetId": STRING, "documentId": STRING},
        "relations": {"dataset": "Dataset", "document": "Document"},
    },
    "Sample": {
        "fields": {"pid": STRING, "name": STRING, "description": STRING},
        "relations": {"datasets": "Dataset"},
    },
    "Member": {
        "fields": {"id": STRING, "role": STRING, "documentId": STRING, "personId": STRING,
                   "affiliationId": STRING},
        "relations": {"document": "Document", "person": "Person", "affiliation": "Affiliation"},
    },
    "Person": {
        "fields": {"id": STRING, "fullName": STRING, "orcid": STRING, "researcherId": STRING,
                   "firstName": STRING, "lastName": STRING},
        "relations": {"members": "Member"},
    },
    "Affiliation": {
        "fields": {"id": STRING, "name": STRING, "address": STRING, "city": STRING,
                   "country": STRING},
        "relations": {"members": "Member"},
    },
}  # fmt: skip
# The models whose where accepts {"text": "..."}, and the fields it searches (doc/query.md).
TEXT_FIELDS = {
    "Dataset": ("title",),
    "Document": ("title", "summary"),
    "File": ("name",),
    "Instrument": ("name", "facility"),
    "Sample": ("name", "description"),
    "Technique": ("name",),
}
OPERATORS = ("eq", "neq", "gt", "gte", "lt", "lte", "between", "inq", "nin", "like", "nlike",
             "ilike", "nilike")  # fmt: skip
LIKE_OPERATORS = ("like", "nlike", "ilike", "nilike")
ORDER_OPERATORS = ("gt", "gte", "lt", "lte", "between")
FILTER_KEYS = ("where", "include", "limit", "skip", "fields")


class FilterError(ValueError):
    """Bad filter input; the message names the problem (answered as 400)."""


@dataclass(frozen=True)
class Test:
    """``field op value``; ``field`` is "text" for the PaNOSC text operator."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True)
class AllOf:
    children: tuple["WhereNode", ...]


@dataclass(frozen=True)
class AnyOf:
    children: tuple["WhereNode", ...]


WhereNode = Test | AllOf | AnyOf


@dataclass(frozen=True)
class Include:
    relation: str
    scope: "Filter"


@dataclass(frozen=True)
class Filter:
    model: str
    where: WhereNode | None = None
    include: tuple[Include, ...] = ()
    limit: int | None = None
    skip: int = 0
    fields: tuple[str, ...] | None = None

    def included(self, relation: str) -> Include | None:
        return next((i for i in self.include if i.relation == relation), None)

    @property
    def restricts(self) -> bool:
        """Whether this scope removes parents without a matching child (an inner join)."""
        return self.where is not None or any(i.scope.restricts for i in self.include)


# ------------------------------------------------------------------------- parsing --
class _Budget:
    def __init__(self):
        self.nodes = 0

    def spend(self, where: str) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise FilterError(f"The filter is too complex (more than {MAX_NODES} conditions).")


def _load_json(raw: str, name: str) -> Any:
    if len(raw) > MAX_FILTER_LENGTH:
        raise FilterError(f"{name} is longer than {MAX_FILTER_LENGTH} characters.")
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise FilterError(f"{name} is not valid JSON: {exc}.") from exc


def _finite(value) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and _finite(value)


def parse_date(value, where: str) -> datetime.datetime:
    """An ISO 8601 date or date-time (a date means its midnight, UTC)."""
    if not isinstance(value, str):
        raise FilterError(f"{where}: expected a date as an ISO 8601 string, not {value!r}.")
    text = value.strip().replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.datetime.fromisoformat(text)
    except ValueError as exc:
        raise FilterError(f"{where}: {value[:60]!r} is not an ISO 8601 date.") from exc
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=datetime.UTC)
    return parsed


def _check_scalar(kind: str, value, where: str):
    """The value, checked (and dates parsed) against the field's type."""
    if kind == ANY:
        if isinstance(value, str) or _is_number(value) or isinstance(value, bool):
            if isinstance(value, str) and len(value) > MAX_STRING:
                raise FilterError(f"{where}: the value is longer than {MAX_STRING} characters.")
            return value
        raise FilterError(f"{where}: expected a number or a string, not {json.dumps(value)}.")
    if kind in (STRING, STRINGS):
        if not isinstance(value, str):
            raise FilterError(f"{where}: expected a string, not {json.dumps(value)}.")
        if len(value) > MAX_STRING:
            raise FilterError(f"{where}: the value is longer than {MAX_STRING} characters.")
        return value
    if kind == NUMBER:
        if not _is_number(value):
            raise FilterError(f"{where}: expected a number, not {json.dumps(value)}.")
        return value
    if kind == BOOLEAN:
        if not isinstance(value, bool):
            raise FilterError(f"{where}: expected true or false, not {json.dumps(value)}.")
        return value
    return parse_date(value, where)


def _parse_test(model: str, name: str, spec, where: str) -> Test:
    fields = MODELS[model]["fields"]
    if name == "text":
        if model not in TEXT_FIELDS:
            raise FilterError(f"{where}: {model} has no text search.")
        if not isinstance(spec, str) or not spec.strip():
            raise FilterError(f"{where}: text takes a non-empty string.")
        if len(spec) > MAX_STRING:
            raise FilterError(f"{where}: the text is longer than {MAX_STRING} characters.")
        return Test("text", "text", spec.strip())
    if name not in fields:
        if name in MODELS[model]["relations"]:
            raise FilterError(
                f"{where}: {name!r} is a relation of {model}; filter it with "
                f'"include": [{{"relation": "{name}", "scope": {{"where": ...}}}}].'
            )
        raise FilterError(
            f"{where}: {model} has no field {name!r}; its fields are {', '.join(sorted(fields))}."
        )
    kind = fields[name]
    if isinstance(spec, dict):
        if len(spec) != 1:
            raise FilterError(f'{where}: give exactly one operator, as {{"gt": 1}}.')
        op, value = next(iter(spec.items()))
        if op not in OPERATORS:
            raise FilterError(
                f"{where}: unknown operator {op!r}; use one of {', '.join(OPERATORS)}."
            )
        where = f"{where}.{op}"
    else:
        op, value = "eq", spec
    if value is None:
        raise FilterError(f"{where}: null is not a value to compare with.")
    if op in ("between", "inq", "nin"):
        if not isinstance(value, list):
            raise FilterError(f"{where}: {op} takes a list, not {json.dumps(value)[:60]}.")
        if op == "between" and len(value) != 2:
            raise FilterError(f"{where}: between takes two values, [low, high].")
        if len(value) > MAX_LIST:
            raise FilterError(f"{where}: at most {MAX_LIST} values.")
        values = [_check_scalar(kind, v, f"{where}[{i}]") for i, v in enumerate(value)]
        if op == "between":
            low, high = values
            if type(low) is not type(high) and not (_is_number(low) and _is_number(high)):
                raise FilterError(f"{where}: both bounds must be of the same type.")
            if low > high:
                raise FilterError(f"{where}: the lower bound is above the upper bound.")
        return Test(name, op, tuple(values))
    if op in LIKE_OPERATORS:
        if kind not in (STRING, STRINGS, ANY) or not isinstance(value, str):
            raise FilterError(f"{where}: {op} takes a string pattern and a text field.")
        return Test(name, op, _check_scalar(STRING, value, where))
    if kind == BOOLEAN and op in ORDER_OPERATORS:
        raise FilterError(f"{where}: {op} does not compare true and false.")
    value = _check_scalar(kind, value, where)
    if op in ORDER_OPERATORS and isinstance(value, bool):
        raise FilterError(f"{where}: {op} does not compare true and false.")
    return Test(name, op, value)


def _parse_where(model: str, raw, where: str, depth: int, budget: _Budget) -> WhereNode | None:
    if depth > MAX_DEPTH:
        raise FilterError(f"{where}: nested deeper than {MAX_DEPTH} levels.")
    if not isinstance(raw, dict):
        raise FilterError(f"{where}: expected an object, not {json.dumps(raw)[:60]}.")
    parts: list[WhereNode] = []
    for key, spec in raw.items():
        budget.spend(where)
        at = f"{where}.{key}"
        if key in ("and", "or"):
            if not isinstance(spec, list) or not spec:
                raise FilterError(f"{at}: {key} takes a non-empty list of conditions.")
            children = [
                c
                for i, item in enumerate(spec)
                if (c := _parse_where(model, item, f"{at}[{i}]", depth + 1, budget)) is not None
            ]
            if children:
                parts.append(AllOf(tuple(children)) if key == "and" else AnyOf(tuple(children)))
        else:
            parts.append(_parse_test(model, key, spec, at))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else AllOf(tuple(parts))


def _parse_int(raw, name: str, *, low: int, high: int) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise FilterError(f"{name} must be a whole number, not {json.dumps(raw)[:40]}.")
    if not low <= raw <= high:
        raise FilterError(f"{name} must be between {low} and {high}, not {raw}.")
    return raw


def _parse_fields(model: str, raw, where: str) -> tuple[str, ...] | None:
    known = MODELS[model]["fields"]
    if isinstance(raw, str):
        raw = [raw]
    if isinstance(raw, dict):
        if not all(isinstance(v, bool) for v in raw.values()):
            raise FilterError(f"{where}: fields maps names to true or false.")
        wanted = [k for k, v in raw.items() if v]
        if not wanted:  # only exclusions: everything else
            wanted = [k for k in known if raw.get(k, True)]
        raw = wanted
    if not isinstance(raw, list) or not all(isinstance(f, str) for f in raw):
        raise FilterError(f"{where}: fields takes a list of field names.")
    unknown = [f for f in raw if f not in known]
    if unknown:
        raise FilterError(
            f"{where}: {model} has no field {unknown[0]!r}; its fields are "
            f"{', '.join(sorted(known))}."
        )
    return tuple(dict.fromkeys(raw))


def _parse_include(model: str, raw, where: str, depth: int, budget: _Budget) -> tuple:
    if isinstance(raw, str | dict):
        raw = [raw]
    if not isinstance(raw, list):
        raise FilterError(f"{where}: include takes a relation name or a list of them.")
    relations = MODELS[model]["relations"]
    includes: dict[str, Include] = {}
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        budget.spend(at)
        if isinstance(item, str):
            name, scope_raw = item, {}
        elif isinstance(item, dict):
            extra = set(item) - {"relation", "scope"}
            if extra:
                raise FilterError(
                    f"{at}: unknown key {sorted(extra)[0]!r}; an include has relation and scope."
                )
            name, scope_raw = item.get("relation"), item.get("scope", {})
        else:
            raise FilterError(f'{at}: expected a relation name or {{"relation": ...}}.')
        if not isinstance(name, str) or name not in relations:
            raise FilterError(
                f"{at}: {model} has no relation {name!r}; its relations are "
                f"{', '.join(sorted(relations))}."
            )
        if name in includes:
            raise FilterError(f"{at}: {name!r} is included twice.")
        scope = _parse_filter(relations[name], scope_raw, f"{at}.scope", depth + 1, budget)
        includes[name] = Include(name, scope)
    return tuple(includes.values())


def _parse_filter(model: str, raw, where: str, depth: int, budget: _Budget) -> Filter:
    if depth > MAX_DEPTH:
        raise FilterError(f"{where}: includes nested deeper than {MAX_DEPTH} levels.")
    if raw is None:
        return Filter(model)
    if not isinstance(raw, dict):
        raise FilterError(f"{where}: expected a JSON object, not {json.dumps(raw)[:60]}.")
    unknown = [k for k in raw if k not in FILTER_KEYS]
    if unknown:
        hint = " (ordering is by score, then pid)" if unknown[0] == "order" else ""
        raise FilterError(
            f"{where}: unknown key {unknown[0]!r}{hint}; a filter has {', '.join(FILTER_KEYS)}."
        )
    where_node = None
    if raw.get("where") is not None:
        where_node = _parse_where(model, raw["where"], f"{where}.where", depth, budget)
    include = ()
    if raw.get("include") is not None:
        include = _parse_include(model, raw["include"], f"{where}.include", depth, budget)
    limit = None
    if raw.get("limit") not in (None, 0):
        limit = _parse_int(raw["limit"], f"{where}.limit", low=1, high=MAX_LIMIT)
    skip = 0
    if raw.get("skip") is not None:
        skip = _parse_int(raw["skip"], f"{where}.skip", low=0, high=MAX_SKIP)
    fields = None
    if raw.get("fields") is not None:
        fields = _parse_fields(model, raw["fields"], f"{where}.fields")
    return Filter(model, where_node, include, limit, skip, fields)


def parse_filter(raw: str | None, model: str) -> Filter:
    """The ``filter=`` parameter as a Filter on ``model``, or FilterError."""
    if raw is None or not raw.strip():
        return Filter(model)
    return _parse_filter(model, _load_json(raw, "filter"), "filter", 0, _Budget())


def parse_where(raw: str | None, model: str) -> WhereNode | None:
    """The ``where=`` parameter of the count endpoints, or FilterError."""
    if raw is None or not raw.strip():
        return None
    data = _load_json(raw, "where")
    if isinstance(data, dict) and set(data) == {"where"}:
        data = data["where"]  # some clients wrap it as in a filter
    return _parse_where(model, data, "where", 0, _Budget())


# ---------------------------------------------------------------------- evaluation --
_WORD = re.compile(r"\w+")


def _compare(actual, op: str, expected) -> bool:
    if actual is None:
        return op in ("neq", "nin", "nlike", "nilike")
    if isinstance(actual, list):  # keywords: any element
        positive = op not in ("neq", "nin", "nlike", "nilike")
        results = [_compare(a, op, expected) for a in actual]
        return any(results) if positive else all(results)
    if isinstance(actual, datetime.datetime | datetime.date) and not isinstance(
        actual, datetime.datetime
    ):
        actual = datetime.datetime.combine(actual, datetime.time(), tzinfo=datetime.UTC)
    try:
        if op == "eq":
            return actual == expected
        if op == "neq":
            return actual != expected
        if op == "inq":
            return actual in expected
        if op == "nin":
            return actual not in expected
        if op == "between":
            return expected[0] <= actual <= expected[1]
        if op in ("gt", "gte", "lt", "lte"):
            return {
                "gt": actual > expected,
                "gte": actual >= expected,
                "lt": actual < expected,
                "lte": actual <= expected,
            }[op]
    except TypeError:
        return False  # a number against a string: no match, as in a database
    flags = re.IGNORECASE if op in ("ilike", "nilike") else 0
    found = re.search(like_regex(expected), str(actual), flags | re.DOTALL) is not None
    return found if op in ("like", "ilike") else not found


def text_matches(text: str, values: list) -> bool:
    """Every word of ``text`` occurs in the fields, ignoring case ("file1" finds
    "panosc-file1.hdf"): the PaNOSC text operator, as datasets' titles are searched too."""
    words = [w.lower() for w in text.split()]
    haystack = " ".join(str(v) for v in values if v).lower()
    return bool(words) and all(w in haystack for w in words)


def matches(node: WhereNode | None, obj: dict, model: str) -> bool:
    """Whether a plain object of ``model`` passes the where tree."""
    if node is None:
        return True
    if isinstance(node, AllOf):
        return all(matches(c, obj, model) for c in node.children)
    if isinstance(node, AnyOf):
        return any(matches(c, obj, model) for c in node.children)
    if node.field == "text":
        return text_matches(node.value, [obj.get(f) for f in TEXT_FIELDS[model]])
    return _compare(obj.get(node.field), node.op, node.value)


def dnf(node: WhereNode | None) -> list[list[Test]]:
    """The where tree as an OR of ANDs of tests (for parameter scopes: one per parameter)."""
    if node is None:
        return [[]]
    if isinstance(node, Test):
        return [[node]]
    if isinstance(node, AnyOf):
        out = [conj for c in node.children for conj in dnf(c)]
    else:
        out = [[]]
        for c in node.children:
            out = [a + b for a in out for b in dnf(c)]
    if len(out) > MAX_NODES:
        raise FilterError("The parameter conditions expand to too many alternatives.")
    return out


@dataclass
class Projection:
    """``fields`` of a scope: which keys of the answer to keep (relations always stay)."""

    fields: tuple[str, ...] | None = field(default=None)

    def apply(self, obj: dict, model: str) -> dict:
        if self.fields is None:
            return obj
        relations = MODELS[model]["relations"]
        return {k: v for k, v in obj.items() if k in self.fields or k in relations}
