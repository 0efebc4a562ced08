"""The database backend: the embedded mode's search, with no service to run.

It answers the same SearchQuery as Elasticsearch with the same SearchResult, over
``datasets_visible_to(user=)`` (the access gate's own queryset), so visibility is the gate's
by construction. Text matches whole words (a portable regular expression per term; ranking
is only "title matches first"); scientific-metadata conditions and keyword facets are
evaluated in Python with the same unit conversion as the index. Fine for the thousands of
datasets an embedded portal holds; at a million, use Elasticsearch.
"""

import html
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Lower

from catalogue.access import datasets_visible_to
from catalogue.models import Creator, Dataset, Proposal, RelatedIdentifier, Status
from catalogue.scimeta import ScientificEntry, scientific_entries
from catalogue.search import units
from catalogue.search.documents import TEXT_VALUE_MAX
from catalogue.search.indexing import (
    SUPPLEMENT_RELATION,
    _numbers,
    _summary,
    dataset_to_document,
    entry_text,
    proposal_key,
    publication_key,
)
from catalogue.search.queries import (
    DEFAULT_FACET_SIZE,
    FACET_SIZES,
    NEGATED,
    NUMERIC_OPERATORS,
    And,
    Condition,
    FieldTest,
    KeyUnits,
    Node,
    Not,
    Or,
    SearchQuery,
    Term,
    check_condition_units,
    identifier_in,
    like_regex,
    positive_terms,
    technique_values,
    where_conditions,
)
from catalogue.snapshot import dataset_snapshot, snapshot_queryset

from .base import FacetValue, KeyInfo, SearchHit, SearchResult

SNIPPET_RADIUS = 90
# Words as Elasticsearch's standard tokenizer cuts them (close enough for "contains").
_WORDS = re.compile(r"\w+(?:[.'\u2019]\w+)*")


# ------------------------------------------------------------------------ text query --
_ALNUM = re.compile(r"[a-z0-9]+", re.IGNORECASE)
_BOUNDARY = "[^a-z0-9]"


def word_pattern(term: Term) -> str:
    """A case-insensitive regex matching the term as whole words, like the index's tokens.

    Written in the syntax PostgreSQL and Python (Django's SQLite REGEXP) share: no \b.
    """
    words = _ALNUM.findall(term.text)
    body = f"{_BOUNDARY}+".join(re.escape(w) for w in words)
    end = "" if term.prefix else f"($|{_BOUNDARY})"
    return f"(^|{_BOUNDARY}){body}{end}"


def _term_q(term: Term) -> Q:
    t = word_pattern(term)
    technique = Dataset.techniques.through.objects.filter(
        dataset_id=OuterRef("pk"), technique__label__iregex=t
    )
    creator = Creator.objects.filter(dataset_id=OuterRef("pk"), name__iregex=t)
    q = (
        Q(title__iregex=t)
        | Q(description__iregex=t)
        | Q(sample_name__iregex=t)
        | Q(sample_description__iregex=t)
        | Q(facility__name__iregex=t)
        | Q(instrument__name__iregex=t)
        | Q(beamtime__proposal__title__iregex=t)
        | Q(_keywords_text__iregex=t)
        | Q(Exists(creator))
        | Q(Exists(technique))
    )
    identifier = term.identifier
    if identifier is not None:
        kind, value = identifier
        q |= Q(doi=value) if kind == "doi" else Q(pid=value)
    return q


def text_q(node: Node) -> Q:
    if isinstance(node, Term):
        return _term_q(node)
    if isinstance(node, Not):
        return ~text_q(node.child)
    assert isinstance(node, And | Or)
    combined = None
    for child in node.children:
        part = text_q(child)
        if combined is None:
            combined = part
        elif isinstance(node, Or):
            combined |= part
        else:
            combined &= part
    return combined if combined is not None else Q()


# ------------------------------------------------------------------------ conditions --
def _in_bounds(number: float, bounds: dict[str, float]) -> bool:
    checks = {
        "gt": lambda b: number > b,
        "gte": lambda b: number >= b,
        "lt": lambda b: number < b,
        "lte": lambda b: number <= b,
    }
    return all(checks[op](bound) for op, bound in bounds.items())


def _passes(entry: ScientificEntry, cond: Condition) -> bool:
    """The test on one entry, as the Elasticsearch nested query does it (eq for ne)."""
    text = entry_text(entry.value)
    if cond.op == "contains":
        if not text:
            return False
        words = {w.lower() for w in _WORDS.findall(text)}
        wanted = [w.lower() for w in _WORDS.findall(cond.value.rstrip("*"))]
        if not wanted:
            return False
        if cond.value.endswith("*"):
            *whole, last = wanted
            return all(w in words for w in whole) and any(w.startswith(last) for w in words)
        return all(w in words for w in wanted)
    if cond.unit:
        unit = (entry.unit or "").strip()
        if not unit:
            return False
        si = [s for n in _numbers(entry.value) if (s := units.try_to_si(n, unit)) is not None]
        return any(s.unit == cond.si_unit and _in_bounds(s.value, cond.bounds(si=True)) for s in si)
    text_equal = (
        text is not None and len(text) <= TEXT_VALUE_MAX and text.lower() == cond.value.lower()
    )
    if cond.is_numeric:
        numeric = any(_in_bounds(n, cond.bounds(si=False)) for n in _numbers(entry.value))
        if cond.op in NUMERIC_OPERATORS:
            return numeric
        return numeric or text_equal
    return text_equal


def condition_holds(entries: dict[str, ScientificEntry], cond: Condition) -> bool:
    entry = entries.get(cond.key)
    if entry is None:
        return False
    if cond.op == "ne":
        return not _passes(entry, cond)
    return _passes(entry, cond)


# ------------------------------------------------------------------------ where tree --
DB_TEST_FIELDS = {
    "title": "title",
    "created_at": "created_at",
    "total_size": "total_size",
    "sample_name": "sample_name",
    "instrument_code": "instrument__code",
}


def _technique_q(iris) -> Q:
    through = Dataset.techniques.through.objects.filter(
        dataset_id=OuterRef("pk"), technique__iri__in=list(iris)
    )
    return Q(Exists(through))


def _proposal_pid_q(values) -> Q:
    """Datasets of these proposals (``<facility code>/proposal/<proposal id>``, as indexed)."""
    q = Q(pk__in=[])
    for value in values:
        code, sep, proposal_id = str(value).partition("/proposal/")
        if sep:
            q |= Q(
                beamtime__proposal__facility__code=code, beamtime__proposal__proposal_id=proposal_id
            )
    return q


def _supplement_to_q(values) -> Q:
    """Datasets supplementing these publications (indexed DOIs are lower case)."""
    values = [str(v) for v in values]
    papers = (
        RelatedIdentifier.objects.filter(
            dataset_id=OuterRef("pk"), relation_type=SUPPLEMENT_RELATION
        )
        .annotate(_lower=Lower("identifier"))
        .filter(Q(identifier__in=values) | Q(identifier_type="DOI", _lower__in=values))
    )
    return Q(Exists(papers))


def field_test_q(test: FieldTest) -> Q:
    op = NEGATED.get(test.op, test.op)
    if test.op in NEGATED:
        return ~field_test_q(FieldTest(test.field, op, test.value))
    if test.field == "nothing":
        return Q(pk__in=[])
    if test.field == "id":
        return Q(pk__in=list(test.value))
    if test.field == "technique_iri":
        return _technique_q(test.value)
    if test.field in ("proposal_pid", "supplement_to"):
        values = test.value if op == "in" else (test.value,)
        if op not in ("in", "eq"):
            raise ValueError(f"{test.field} supports eq and in only")
        return (_proposal_pid_q if test.field == "proposal_pid" else _supplement_to_q)(values)
    if test.field == "pid":
        values = list(test.value) if op == "in" else [test.value]
        q = Q(pk__in=[])
        for kind, value in (i for v in values if (i := identifier_in(str(v)))):
            q |= Q(doi=value) if kind == "doi" else Q(pid=value)
        return q
    name = DB_TEST_FIELDS[test.field]
    if op == "eq":
        return Q(**{name: test.value})
    if op == "in":
        return Q(**{f"{name}__in": list(test.value)})
    if op == "between":
        low, high = test.value
        return Q(**{f"{name}__gte": low, f"{name}__lte": high})
    if op in ("gt", "gte", "lt", "lte"):
        return Q(**{f"{name}__{op}": test.value})
    lookup = "iregex" if op == "ilike" else "regex"
    return Q(**{f"{name}__{lookup}": like_regex(str(test.value))})


# --------------------------------------------------------------------------- facets --
def _facet_q(facet: str, values: tuple, narrower: dict | None = None) -> Q:
    if facet == "facility":
        return Q(facility__name__in=values)
    if facet == "instrument":
        return Q(instrument__name__in=values)
    if facet == "technique":
        labels, iris = technique_values(values, narrower)
        through = Dataset.techniques.through.objects.filter(dataset_id=OuterRef("pk")).filter(
            Q(technique__label__in=labels) | Q(technique__iri__in=iris)
        )
        return Q(Exists(through))
    if facet == "resource_type":
        return Q(resource_type_general__in=values)
    if facet == "license":
        return Q(license__in=values)
    if facet == "publication_year":
        return Q(publication_year__in=values)
    if facet == "status":
        return Q(status__in=values)
    if facet == "has_doi":
        if set(values) >= {"true", "false"}:
            return Q()
        return Q(doi__isnull=values[0] != "true")
    raise ValueError(facet)


def _keyword_ids(queryset: QuerySet, values: tuple) -> list[int]:
    # JSON containment is not portable (SQLite has none): match in Python.
    wanted = set(values)
    return [
        pk
        for pk, keywords in queryset.values_list("pk", "keywords")
        if wanted.intersection(keywords or ())
    ]


def _apply_facet(
    queryset: QuerySet, facet: str, values: tuple, narrower: dict | None = None
) -> QuerySet:
    if facet == "keyword":
        return queryset.filter(pk__in=_keyword_ids(queryset, values))
    return queryset.filter(_facet_q(facet, values, narrower))


def _ordered(counts: dict, facet: str) -> list[tuple]:
    if facet in ("publication_year", "has_doi"):
        items = sorted(counts.items(), key=lambda kv: kv[0], reverse=True)
    else:
        items = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return items


def _facet_counts(queryset: QuerySet, facet: str) -> dict:
    qs = queryset.order_by()
    if facet == "keyword":
        counter: Counter = Counter()
        for keywords in qs.values_list("keywords", flat=True):
            counter.update(set(keywords or ()))
        return dict(counter)
    if facet == "technique":
        links = Dataset.techniques.through.objects.filter(dataset__in=qs.values("pk"))
        return dict(Counter(links.values_list("technique__label", flat=True)))
    if facet == "has_doi":
        with_doi = qs.filter(doi__isnull=False).count()
        total = qs.count()
        counts = {"true": with_doi, "false": total - with_doi}
        return {k: v for k, v in counts.items() if v}
    column = {
        "facility": "facility__name",
        "instrument": "instrument__name",
        "resource_type": "resource_type_general",
        "license": "license",
        "publication_year": "publication_year",
        "status": "status",
    }[facet]
    counter = Counter(v for v in qs.values_list(column, flat=True) if v not in (None, ""))
    return dict(counter)


def _facet_values(counts: dict, facet: str, selected: tuple) -> list[FacetValue]:
    chosen = {str(v) for v in selected}
    size = FACET_SIZES.get(facet, DEFAULT_FACET_SIZE)
    top = _ordered(counts, facet)[:size]
    values = [FacetValue(v, n, str(v) in chosen) for v, n in top]
    shown = {str(v) for v, _ in top}
    for v in selected:
        if str(v) not in shown and facet != "has_doi":
            values.append(FacetValue(v, counts.get(v, 0), True))
    return values


# -------------------------------------------------------------------------- snippets --
def _mark(text: str, terms: Iterable[str]) -> str:
    """Escape ``text`` and wrap case-insensitive matches of the terms in <mark>."""
    escaped = html.escape(text)
    patterns = sorted({html.escape(t) for t in terms if t.strip()}, key=len, reverse=True)
    if not patterns:
        return escaped
    regex = re.compile("|".join(re.escape(p) for p in patterns), re.IGNORECASE)
    return regex.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped)


def _snippet(text: str, terms: list[str]) -> str | None:
    lowered = text.lower()
    positions = [p for t in terms if t and (p := lowered.find(t.lower())) >= 0]
    if not positions:
        return None
    at = min(positions)
    start = max(0, at - SNIPPET_RADIUS)
    end = min(len(text), at + SNIPPET_RADIUS * 2)
    if start > 0:
        start = text.find(" ", start) + 1 or start
    if end < len(text):
        end = text.rfind(" ", at, end) if text.rfind(" ", at, end) > at else end
    piece = text[start:end].strip()
    return ("…" if start > 0 else "") + _mark(piece, terms) + ("…" if end < len(text) else "")


# --------------------------------------------------------------------------- backend --
class DatabaseBackend:
    name = "database"

    def _visible(self, user) -> QuerySet:
        # Withdrawn records are tombstones: in no one's lists, curators' neither.
        return datasets_visible_to(user=user).exclude(status=Status.WITHDRAWN)

    def _core(self, query: SearchQuery, user) -> QuerySet:
        """Everything but the facet selections: text, ranges, conditions, visibility."""
        qs = self._visible(user).annotate(
            _keywords_text=Cast("keywords", TextField()),
            _sort_date=Coalesce("published_at", "created_at"),
        )
        if not query.all_versions:
            qs = qs.filter(superseded=False)
        if query.expression is not None:
            qs = qs.filter(text_q(query.expression))
        if query.year_min is not None:
            qs = qs.filter(publication_year__gte=query.year_min)
        if query.year_max is not None:
            qs = qs.filter(publication_year__lte=query.year_max)
        if query.date_from is not None:
            qs = qs.filter(
                Q(collection_end__date__gte=query.date_from)
                | Q(collection_end__isnull=True, collection_start__date__gte=query.date_from)
            )
        if query.date_to is not None:
            qs = qs.filter(collection_start__date__lte=query.date_to)
        if query.where is not None:
            qs = qs.filter(self._where_q(query.where, qs))
        if query.conditions:
            ids = []
            for pk, metadata in qs.values_list("pk", "scientific_metadata"):
                entries = {e.key: e for e in scientific_entries(metadata or {})}
                if all(condition_holds(entries, c) for c in query.conditions):
                    ids.append(pk)
            qs = qs.filter(pk__in=ids)
        return qs

    def _where_q(self, node, qs: QuerySet) -> Q:
        """The where tree as a Q; scientific conditions are evaluated in Python (as above)."""
        if isinstance(node, FieldTest):
            return field_test_q(node)
        if isinstance(node, Term):
            return text_q(node)
        if isinstance(node, Condition):
            ids = [
                pk
                for pk, metadata in qs.values_list("pk", "scientific_metadata")
                if condition_holds({e.key: e for e in scientific_entries(metadata or {})}, node)
            ]
            return Q(pk__in=ids)
        if isinstance(node, Not):
            return ~self._where_q(node.child, qs)
        parts = [self._where_q(c, qs) for c in node.children]
        combined = parts[0]
        for part in parts[1:]:
            combined = (combined | part) if isinstance(node, Or) else (combined & part)
        return combined

    def _ordering(self, query: SearchQuery, qs: QuerySet) -> QuerySet:
        sort = query.effective_sort
        if sort == "relevance":
            terms = [t.text for t in positive_terms(query.expression)]
            title_hits = [
                Case(When(title__icontains=t, then=Value(4)), default=Value(0)) for t in terms
            ]
            if not title_hits:
                return qs.order_by("-_sort_date", "pid")  # no words: all rank alike
            # 1 for matching at all, 4 more per word in the title.
            score = sum(title_hits, Value(1))
            qs = qs.annotate(_score=Case(default=score, output_field=IntegerField()))
            return qs.order_by("-_score", "-_sort_date", "pid")
        if sort == "oldest":
            return qs.order_by("_sort_date", "pid")
        if sort == "title":
            return qs.order_by(Lower("title"), "pid")
        return qs.order_by("-_sort_date", "pid")

    def search(self, *, query: SearchQuery, user) -> SearchResult:
        core = self._core(query, user)
        hits_qs = core
        for facet, values in query.filters.items():
            hits_qs = _apply_facet(hits_qs, facet, values, query.narrower)
        total = hits_qs.count() if query.count or query.facets else None
        conditions = [*query.conditions, *where_conditions(query.where)]
        empty = total == 0 if total is not None else not hits_qs.exists()
        if empty and any(c.unit for c in conditions):
            check_condition_units(
                conditions,
                self.key_units(keys=[c.key for c in conditions if c.unit], user=user),
            )
        facets = {}
        for facet in query.facet_names if query.facets else ():
            others = core
            for other, values in query.filters.items():
                if other != facet:
                    others = _apply_facet(others, other, values, query.narrower)
            facets[facet] = _facet_values(
                _facet_counts(others, facet), facet, query.selected(facet)
            )
        ordered = self._ordering(query, hits_qs)
        scored = "_score" in ordered.query.annotations
        page = list(
            ordered.values_list("pk", "_score" if scored else "pk")[
                query.offset : query.offset + query.page_size
            ]
        )
        page_ids = [pk for pk, _ in page]
        scores = {pk: float(score) if scored else 0.0 for pk, score in page}
        rows = {d.pk: d for d in snapshot_queryset().filter(pk__in=page_ids)}
        terms = [t.text for t in positive_terms(query.expression)]
        hits = tuple(
            replace(self._hit(rows[pk], terms, query.source), score=scores[pk])
            for pk in page_ids
            if pk in rows
        )
        return SearchResult(
            total=total, page=query.page, page_size=query.page_size, hits=hits, facets=facets
        )

    def ids(self, *, query: SearchQuery, user, limit: int) -> list[int] | None:
        qs = self._core(query, user)
        for facet, values in query.filters.items():
            qs = _apply_facet(qs, facet, values, query.narrower)
        ids = list(qs.order_by().values_list("pk", flat=True)[: limit + 1])
        return None if len(ids) > limit else ids

    def values(
        self, *, query: SearchQuery, user, fields: tuple[str, ...], limit: int
    ) -> dict[str, set[str]] | None:
        qs = self._core(query, user)
        for facet, values in query.filters.items():
            qs = _apply_facet(qs, facet, values, query.narrower)
        ids = qs.order_by().values("pk")
        out: dict[str, set[str]] = {}
        for field in fields:
            if field == "proposal_pid":
                rows = (
                    Proposal.objects.filter(beamtimes__datasets__in=ids)
                    .values_list("facility__code", "proposal_id")
                    .distinct()
                )
                out[field] = {proposal_key(facility_code=c, proposal_id=p) for c, p in rows}
            elif field == "supplement_to":
                rows = (
                    RelatedIdentifier.objects.filter(
                        dataset__in=ids, relation_type=SUPPLEMENT_RELATION
                    )
                    .values_list("identifier", "identifier_type")
                    .distinct()
                )
                out[field] = {publication_key(i, t) for i, t in rows}
            else:
                raise ValueError(f"no values of {field!r} in the database backend")
        return None if any(len(v) > limit for v in out.values()) else out

    def _hit(self, dataset: Dataset, terms: list[str], source: tuple[str, ...] = ()) -> SearchHit:
        s = dataset_snapshot(dataset)
        # The requested fields as Elasticsearch stores them: the same pure mapping.
        document = dataset_to_document(s, ()) if source else None
        snippet = _snippet(s.description, terms) if terms else None
        if snippet is None and s.description:
            snippet = html.escape(_summary(s.description))
        return SearchHit(
            pid=str(s.pid),
            title=s.title,
            doi=s.doi,
            creators=tuple(a.name for a in s.creators),
            publication_year=s.publication_year,
            facility=s.facility.name if s.facility else None,
            facility_short_name=(s.facility.short_name or s.facility.name) if s.facility else None,
            instrument=s.instrument.name if s.instrument else None,
            techniques=tuple(t.label for t in s.techniques),
            resource_type=s.resource_type_general or None,
            keywords=tuple(s.keywords),
            status=s.status,
            title_html=_mark(s.title, terms),
            snippets=(snippet,) if snippet else (),
            source={k: document.get(k) for k in source} if document else None,
        )

    # ---------------------------------------------------------------------- keys --
    def _entries(self, user):
        for metadata in self._visible(user).values_list("scientific_metadata", flat=True):
            yield from scientific_entries(metadata or {})

    def key_units(self, *, keys: list[str], user) -> dict[str, KeyUnits]:
        wanted = set(keys)
        counts: Counter = Counter()
        si: dict[str, set] = {}
        unit_counts: dict[str, Counter] = {}
        for entry in self._entries(user):
            if entry.key not in wanted:
                continue
            counts[entry.key] += 1
            unit = (entry.unit or "").strip()
            if unit:
                unit_counts.setdefault(entry.key, Counter())[unit] += 1
                for n in _numbers(entry.value):
                    converted = units.try_to_si(n, unit)
                    if converted is not None:
                        si.setdefault(entry.key, set()).add(converted.unit)
        return {
            key: KeyUnits(
                key=key,
                count=n,
                si_units=frozenset(si.get(key, ())),
                units=tuple(
                    u
                    for u, _ in sorted(
                        unit_counts.get(key, Counter()).items(), key=lambda kv: (-kv[1], kv[0])
                    )
                ),
            )
            for key, n in counts.items()
        }

    def keys(self, *, user, prefix: str = "", limit: int = 50) -> list[KeyInfo]:
        p = prefix.lower()
        counts: Counter = Counter()
        unit_counts: dict[str, Counter] = {}
        for entry in self._entries(user):
            key = entry.key.lower()
            if p and not (key.startswith(p) or f".{p}" in key):
                continue
            counts[entry.key] += 1
            unit = (entry.unit or "").strip()
            if unit:
                unit_counts.setdefault(entry.key, Counter())[unit] += 1
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [
            KeyInfo(
                key=key,
                count=n,
                units=tuple(
                    u
                    for u, _ in sorted(
                        unit_counts.get(key, Counter()).items(), key=lambda kv: (-kv[1], kv[0])
                    )
                )[:20],
            )
            for key, n in ordered
        ]
