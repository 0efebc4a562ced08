"""PaNOSC filters on datasets, translated into the catalogue's own query model.

A Dataset filter becomes one ``SearchQuery.where`` tree that either search backend answers
(Elasticsearch in production, the database in the embedded mode):

* the dataset's own fields: ``pid`` (DOI or portal pid), ``title`` (eq, like, ilike, ...),
  ``creationDate``, ``size``, ``isPublic``, ``text``;
* every ``include`` whose scope has a ``where`` (or a nested one) is an inner join, ANDed:
  ``parameters`` become scientific-metadata conditions (one per alternative of the scope,
  in SI units with pint when a unit is given), ``techniques`` the PaNET IRIs the scope names
  plus all narrower ones, ``instrument`` the matching instruments' codes, ``samples`` tests on
  the sample name, ``files`` the datasets holding a matching file (looked up in the database),
  ``documents`` the datasets of the matching documents.

The plan also keeps what the answer embeds: which techniques, parameters and files of each
dataset pass their scope.
"""

from dataclasses import dataclass

from django.db.models import Q

from catalogue.models import DataFile, Instrument, Technique
from catalogue.search.queries import (
    And,
    Condition,
    FieldTest,
    Not,
    Or,
    SearchInputError,
    make_condition,
)
from catalogue.search.techniques import iris_with_narrower
from panosc import mapping
from panosc.filter import AllOf, AnyOf, Filter, FilterError, Test, WhereNode, dnf, matches

# Inner joins resolved to dataset ids (files, documents) stop here: a scope that broad is
# better asked another way (Elasticsearch's terms queries and the database's IN lists).
MAX_JOINED_DATASETS = 10_000
# Includes inside includes this API embeds (a Dataset scope takes any Dataset relation).
SUPPORTED_NESTED = {"Document": {"datasets", "members"}, "Member": {"person", "affiliation"}}


@dataclass(frozen=True)
class DatasetPlan:
    filter: Filter
    where: object  # catalogue.search.queries.Where | None
    techniques: frozenset[str] | None = None  # IRIs a techniques scope stands for
    parameters: tuple[tuple[Condition, ...], ...] | None = None  # alternatives
    files: Q | None = None


def _combine(parts: list, kind=And):
    parts = [p for p in parts if p is not None]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else kind(tuple(parts))


def _nothing() -> FieldTest:
    return FieldTest("nothing", "eq", True)


# ------------------------------------------------------------------ dataset fields --
_OPS = {"neq": "ne", "inq": "in"}
DATASET_FIELDS = {"title": "title", "creationDate": "created_at", "size": "total_size"}


def _dataset_test(test: Test):
    op = _OPS.get(test.op, test.op)
    if test.field == "text":
        # doc/query.md: a Dataset's text is its title; every word, as a substring.
        words = test.value.split()
        return _combine([FieldTest("title", "ilike", w) for w in words], And)
    if test.field == "isPublic":
        # Every record here is public: true matches all, false none.
        wanted = test.value if test.op == "eq" else not test.value
        return None if wanted else _nothing()
    if test.field == "score":
        raise FilterError("where.score: the score ranks results; it cannot be filtered on.")
    if test.field == "pid":
        if op not in ("eq", "ne", "in", "nin"):
            raise FilterError(f"where.pid: {test.op} is not supported on pids; use eq or inq.")
        return FieldTest("pid", op, test.value)
    name = DATASET_FIELDS[test.field]
    try:
        return FieldTest(name, op, test.value)
    except ValueError as exc:
        raise FilterError(f"where.{test.field}: {test.op} is not supported here.") from exc


def _dataset_where(node: WhereNode | None):
    if node is None:
        return None
    if isinstance(node, Test):
        result = _dataset_test(node)
        return result
    parts = [_dataset_where(c) for c in node.children]
    if isinstance(node, AnyOf):
        # One alternative that always holds (isPublic: true) makes the whole OR hold.
        return None if any(p is None for p in parts) else _combine(parts, Or)
    return _combine(parts, And)


# ---------------------------------------------------------------------- parameters --
_VALUE_OPS = {"eq": "eq", "neq": "ne", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}


def _number_text(value) -> str:
    return repr(float(value)) if isinstance(value, float) else str(value)


def _parameter_conditions(conjunct: list[Test], where: str) -> list[tuple[Condition, ...]]:
    """One AND of tests on a single parameter as alternatives of condition groups (each
    group: conditions on the same parameter that must all hold)."""
    names = {t.value for t in conjunct if t.field == "name" and t.op == "eq"}
    name_lists = [t.value for t in conjunct if t.field == "name" and t.op == "inq"]
    for t in conjunct:
        if t.field == "name" and t.op not in ("eq", "inq"):
            raise FilterError(f"{where}.name: parameters are matched by name with eq or inq.")
        if t.field in ("id", "datasetId", "documentId"):
            raise FilterError(f"{where}.{t.field}: parameters are matched by name, value, unit.")
        if t.field == "text":
            raise FilterError(f"{where}: parameters have no text search.")
        if t.field == "unit" and t.op != "eq":
            raise FilterError(f"{where}.unit: the unit is given with eq.")
    if len(names) > 1:
        return []  # one parameter has one name: no match
    candidates = names or (set(name_lists[0]) if name_lists else set())
    for more in name_lists:
        candidates &= set(more)
    if not names and not name_lists:
        raise FilterError(f"{where}: a parameter condition needs the parameter's name.")
    units = {t.value for t in conjunct if t.field == "unit"}
    if len(units) > 1:
        return []
    unit = next(iter(units), "")
    value_tests = [t for t in conjunct if t.field == "value"]
    alternatives: list[tuple[Condition, ...]] = []
    for name in sorted(candidates):
        groups: list[list[Condition]] = [[]]
        for t in value_tests:
            options = _value_conditions(name, t, unit, f"{where}.value")
            groups = [g + list(o) for g in groups for o in options]
        for g in groups:
            if not g:
                # Only a name: the parameter exists ("not equal to a NUL" holds for every
                # value present, on both backends).
                g = [make_condition(key=name, op="ne", value="\0")]
            alternatives.append(tuple(g))
    return alternatives


def _value_conditions(name: str, t: Test, unit: str, where: str) -> list[tuple[Condition, ...]]:
    """Alternatives (each a tuple of conditions that must all hold) for one value test."""

    def cond(op: str, value) -> Condition:
        text = _number_text(value) if not isinstance(value, str) else value
        if isinstance(value, bool):
            text = "true" if value else "false"
        try:
            return make_condition(key=name, op=op, value=text, unit=unit)
        except SearchInputError as exc:
            message = exc.message.split(": ", 1)[-1]
            raise FilterError(f"{where}: {message}") from exc

    if t.op in _VALUE_OPS:
        return [(cond(_VALUE_OPS[t.op], t.value),)]
    if t.op == "between":
        low, high = t.value
        if isinstance(low, str) or isinstance(high, str):
            raise FilterError(f"{where}: between compares numbers.")
        return [(cond("between", f"{_number_text(low)}..{_number_text(high)}"),)]
    if t.op == "inq":
        return [(cond("eq", v),) for v in t.value]
    if t.op == "nin":
        return [tuple(cond("ne", v) for v in t.value)]
    if t.op in ("like", "ilike"):
        words = t.value.strip("%")
        if not words or "%" in words or "_" in words or unit:
            raise FilterError(
                f"{where}: {t.op} on parameter values takes a word or phrase, "
                "optionally in %...% (it matches the words of text values)."
            )
        return [(cond("contains", words),)]
    raise FilterError(f"{where}: {t.op} is not supported on parameter values.")


def parameter_alternatives(scope: Filter, where: str) -> tuple[tuple[Condition, ...], ...]:
    alternatives: list[tuple[Condition, ...]] = []
    for conjunct in dnf(scope.where):
        alternatives += _parameter_conditions(conjunct, where)
    return tuple(dict.fromkeys(alternatives))


def _alternatives_where(alternatives) -> object:
    if not alternatives:
        return _nothing()
    # Conditions of one group test the same key; for one key per dataset (scientific
    # metadata keys are unique), "every condition holds" is "one entry passes them all".
    return _combine([_combine(list(group), And) for group in alternatives], Or)


# ---------------------------------------------------------------------- techniques --
def technique_objects() -> list[dict]:
    from catalogue.snapshot import TechniqueSnapshot

    return [
        mapping.technique_object(TechniqueSnapshot(iri=iri, label=label))
        for iri, label in Technique.objects.values_list("iri", "label")
    ]


def technique_iris(scope: Filter) -> frozenset[str]:
    named = [t["pid"] for t in technique_objects() if _technique_matches(scope.where, t)]
    return frozenset(iris_with_narrower(named)) if named else frozenset()


def _technique_matches(node, obj: dict) -> bool:
    """PaNET ids may be given bare ("PaNET01188") or as IRIs; names ignore case."""
    if node is None:
        return True
    if isinstance(node, AllOf):
        return all(_technique_matches(c, obj) for c in node.children)
    if isinstance(node, AnyOf):
        return any(_technique_matches(c, obj) for c in node.children)
    if node.field in ("pid", "panetId") and node.op in ("eq", "inq", "neq", "nin"):
        short = obj["pid"].rsplit("/", 1)[-1]
        values = node.value if node.op in ("inq", "nin") else (node.value,)
        hit = obj["pid"] in values or short in values
        return hit if node.op in ("eq", "inq") else not hit
    if node.field == "name" and node.op in ("eq", "neq", "inq", "nin"):
        values = node.value if node.op in ("inq", "nin") else (node.value,)
        hit = obj["name"].lower() in {str(v).lower() for v in values}
        return hit if node.op in ("eq", "inq") else not hit
    return matches(node, obj, "Technique")


# ---------------------------------------------------------------------- instruments --
def instrument_objects() -> list[tuple[str, dict]]:
    """(code, PaNOSC object) of every instrument."""
    rows = Instrument.objects.select_related("facility").order_by("code")
    return [
        (
            i.code,
            mapping.instrument_object(
                pid=i.pid,
                code=i.code,
                name=i.name,
                facility=mapping.facility_label(
                    short_name=i.facility.short_name, name=i.facility.name
                ),
            ),
        )
        for i in rows
    ]


# ---------------------------------------------------------------------------- files --
def file_q(node: WhereNode | None, where: str) -> Q:
    """A File scope's where as a query on DataFile rows (name is the last path segment)."""
    from catalogue.search.queries import like_regex

    if node is None:
        return Q()
    if isinstance(node, AllOf | AnyOf):
        parts = [file_q(c, where) for c in node.children]
        combined = parts[0]
        for p in parts[1:]:
            combined = (combined & p) if isinstance(node, AllOf) else (combined | p)
        return combined
    field, op, value = node.field, node.op, node.value
    if field == "text":
        q = Q()
        for word in value.split():
            q &= Q(path__icontains=word)
        return q
    negate = op in ("neq", "nin", "nlike", "nilike")
    op = {"neq": "eq", "nin": "inq", "nlike": "like", "nilike": "ilike"}.get(op, op)
    if field in ("datasetId",):
        raise FilterError(f"{where}.{field}: filter the dataset itself instead.")
    if field == "id":
        ids = [int(v) for v in (value if op == "inq" else (value,)) if str(v).isdigit()]
        if op not in ("eq", "inq"):
            raise FilterError(f"{where}.id: use eq or inq.")
        q = Q(pk__in=ids)
    elif field == "size":
        lookups = {"eq": "exact", "gt": "gt", "gte": "gte", "lt": "lt", "lte": "lte"}
        if op == "between":
            q = Q(size__gte=value[0], size__lte=value[1])
        elif op == "inq":
            q = Q(size__in=list(value))
        else:
            q = Q(**{f"size__{lookups[op]}": value})
    else:  # name, path: text
        if op in ORDERED_TEXT_OPS:
            raise FilterError(f"{where}.{field}: {op} is not supported on file names.")
        if op in ("eq", "inq"):
            values = value if op == "inq" else (value,)
            q = Q(pk__in=[])
            for v in values:
                q |= Q(path=v) if field == "path" else (Q(path=v) | Q(path__endswith="/" + v))
        else:
            pattern = like_regex(value)
            if field == "name":
                body = pattern.removeprefix("^").removesuffix("$")
                anchored = pattern.startswith("^")
                # Anchored patterns cover the whole name; plain ones occur in it.
                pattern = f"(^|/){body}$" if anchored else f"{body}[^/]*$"
            lookup = "iregex" if op == "ilike" else "regex"
            q = Q(**{f"path__{lookup}": pattern})
    return ~q if negate else q


ORDERED_TEXT_OPS = ("gt", "gte", "lt", "lte", "between")


def _file_dataset_ids(q: Q) -> list[int]:
    ids = list(
        DataFile.objects.filter(q)
        .values_list("dataset_id", flat=True)
        .distinct()[: MAX_JOINED_DATASETS + 1]
    )
    if len(ids) > MAX_JOINED_DATASETS:
        raise FilterError(
            f"The files scope matches files of more than {MAX_JOINED_DATASETS:,} datasets; "
            "narrow it."
        )
    return ids


# --------------------------------------------------------------------------- samples --
def _sample_where(node: WhereNode | None, where: str):
    if node is None:
        return None
    if isinstance(node, AllOf | AnyOf):
        parts = [_sample_where(c, where) for c in node.children]
        return _combine(parts, And if isinstance(node, AllOf) else Or)
    op = _OPS.get(node.op, node.op)
    if node.field == "name":
        try:
            return FieldTest("sample_name", op, node.value)
        except ValueError as exc:
            raise FilterError(f"{where}.name: {node.op} is not supported here.") from exc
    if node.field == "pid":
        values = node.value if op in ("in", "nin") else (node.value,)
        pids = tuple(str(v).removesuffix(mapping.SAMPLE_SUFFIX) for v in values)
        test = FieldTest("pid", "in", pids)
        return Not(test) if op in ("ne", "nin") else test
    if node.field == "text":
        return _combine([FieldTest("sample_name", "ilike", w) for w in node.value.split()], And)
    raise FilterError(f"{where}.{node.field}: samples are matched by name, pid or text.")


# ------------------------------------------------------------------------ the plan --
def _check_nested(model: str, scope: Filter, where: str) -> None:
    for inc in scope.include:
        allowed = SUPPORTED_NESTED.get(model, set())
        if inc.relation not in allowed:
            raise FilterError(
                f"{where}.include: including {inc.relation!r} inside {model} is not supported."
            )


def dataset_plan(filt: Filter, *, where: str = "filter") -> DatasetPlan:
    """The backend's where tree and the embedding plan of a Dataset filter."""
    parts = [_dataset_where(filt.where)]
    techniques = parameters = files = None
    for inc in filt.include:
        at = f"{where}.include[{inc.relation}].scope"
        scope = inc.scope
        if inc.relation == "techniques":
            _check_nested("Technique", scope, at)
            if scope.where is not None:
                techniques = technique_iris(scope)
                parts.append(
                    FieldTest("technique_iri", "in", tuple(sorted(techniques)))
                    if techniques
                    else _nothing()
                )
        elif inc.relation == "parameters":
            _check_nested("Parameter", scope, at)
            if scope.where is not None:
                parameters = parameter_alternatives(scope, f"{at}.where")
                parts.append(_alternatives_where(parameters))
        elif inc.relation == "instrument":
            _check_nested("Instrument", scope, at)
            if scope.where is not None:
                codes = [
                    c for c, obj in instrument_objects() if matches(scope.where, obj, "Instrument")
                ]
                parts.append(
                    FieldTest("instrument_code", "in", tuple(codes)) if codes else _nothing()
                )
        elif inc.relation == "samples":
            _check_nested("Sample", scope, at)
            parts.append(_sample_where(scope.where, f"{at}.where"))
        elif inc.relation == "files":
            _check_nested("File", scope, at)
            if scope.where is not None:
                files = file_q(scope.where, f"{at}.where")
                ids = _file_dataset_ids(files)
                parts.append(FieldTest("id", "in", tuple(ids)) if ids else _nothing())
        elif inc.relation == "documents" and scope.restricts:
            from panosc.selectors import dataset_ids_of_documents

            ids = dataset_ids_of_documents(scope, where=at)
            parts.append(FieldTest("id", "in", tuple(ids)) if ids else _nothing())
    return DatasetPlan(
        filter=filt,
        where=_combine(parts, And),
        techniques=techniques,
        parameters=parameters,
        files=files,
    )
