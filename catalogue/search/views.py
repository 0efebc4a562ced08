"""The search page, /search/: a plain GET form whose URL holds the whole state.

Works without JavaScript: facets are checkboxes in the same form (an "Apply" button submits),
scientific conditions are rows of inputs (the empty row adds one), every link (pagination,
removing a filter, sorting) is a URL. static/js/search.js only makes it quicker: submit on
change, add condition rows, units for the chosen key.
"""

import hashlib
import logging
from dataclasses import dataclass, replace
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import render
from django.utils.translation import gettext as _

from catalogue.access import user_principals, user_sees_unpublished
from catalogue.models import Status
from catalogue.search.backends import FacetValue, KeyInfo
from catalogue.search.connection import SearchUnavailable
from catalogue.search.queries import (
    ALL_FACETS,
    FACET_LABELS,
    MAX_RESULT_WINDOW,
    OPERATOR_LABELS,
    OPERATORS,
    SORT_LABELS,
    SORTS,
    Condition,
    SearchInputError,
    SearchQuery,
    parse_search_params,
    search_params,
)
from catalogue.search.selectors import result_cards, scientific_keys, search_datasets
from portal.labels import field_label
from portal.throttling import throttled

logger = logging.getLogger(__name__)

KEYS_CACHE_SECONDS = 300
# Facets shown open; longer lists fold the rest under "Show more" (a <details>, no script).
FACET_VISIBLE = 8
PAGE_WINDOW = 2
COMMON_UNITS = (
    "K", "degC", "eV", "keV", "meV", "angstrom", "nm", "um", "mm", "m", "1/angstrom",
    "s", "ms", "Hz", "bar", "kPa", "GPa", "T", "deg", "percent", "mg/mL", "g", "N",
)  # fmt: skip
RESOURCE_TYPE_LABELS = {"Dataset": "Dataset"}


def _with_condition_rows(get: QueryDict) -> QueryDict:
    """The form sends conditions as rows (ck/co/cv/cu); links send ``cond``: merge them."""
    params = get.copy()
    keys, ops = get.getlist("ck"), get.getlist("co")
    values, unit_list = get.getlist("cv"), get.getlist("cu")
    for i in range(max(len(keys), len(ops), len(values), len(unit_list), 0)):
        key = keys[i].strip() if i < len(keys) else ""
        op = (ops[i] if i < len(ops) else "eq").strip() or "eq"
        value = values[i].strip() if i < len(values) else ""
        unit = unit_list[i].strip() if i < len(unit_list) else ""
        if not key and not value:
            continue  # the empty "add a condition" row
        if not key:
            raise SearchInputError(
                "cond",
                _("Condition %(n)s: choose a key for %(value)s.")
                % {"n": i + 1, "value": repr(value)},
            )
        # The unit is always the last segment, so values may contain ':'.
        params.appendlist("cond", f"{key}:{op}:{value}:{unit}")
    for name in ("ck", "co", "cv", "cu"):
        params.pop(name, None)
    return params


def _url(query: SearchQuery, **overrides) -> str:
    params = search_params(query, **overrides)
    return "/search/" + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class FacetOption:
    value: str | int
    label: str
    count: int
    selected: bool
    input_id: str


@dataclass(frozen=True)
class FacetBlock:
    name: str
    label: str
    options: list[FacetOption]
    more: list[FacetOption]


def facet_label(facet: str) -> str:
    """A facet's heading: the facility-configurable field label where there is one."""
    if facet in ("facility", "instrument", "technique"):
        return field_label(facet)
    return str(FACET_LABELS[facet])


def _facet_label(facet: str, value) -> str:
    if facet == "has_doi":
        return str(_("With a DOI") if str(value) == "true" else _("Without a DOI"))
    if facet == "status":
        return str(Status(value).label)  # the lifecycle's one table of statuses and labels
    return str(value)


def _facet_blocks(facets: dict[str, list[FacetValue]]) -> list[FacetBlock]:
    blocks = []
    for facet in ALL_FACETS:  # the status facet is in ``facets`` only for members
        values = facets.get(facet, [])
        if not values:
            continue
        options = [
            FacetOption(
                value=v.value,
                label=_facet_label(facet, v.value),
                count=v.count,
                selected=v.selected,
                input_id=f"f-{facet}-{i}",
            )
            for i, v in enumerate(values)
        ]
        # Selected values always stay in the open part of the list.
        head = options[:FACET_VISIBLE] + [o for o in options[FACET_VISIBLE:] if o.selected]
        tail = [o for o in options[FACET_VISIBLE:] if not o.selected]
        blocks.append(FacetBlock(facet, facet_label(facet), head, tail))
    return blocks


@dataclass(frozen=True)
class ActiveFilter:
    label: str
    remove_url: str


def _without(query: SearchQuery, facet: str, value) -> SearchQuery:
    filters = dict(query.filters)
    remaining = tuple(v for v in filters.get(facet, ()) if v != value)
    if remaining:
        filters[facet] = remaining
    else:
        filters.pop(facet, None)
    return _replace(query, filters=filters)


def _replace(query: SearchQuery, **changes) -> SearchQuery:
    return replace(query, page=1, **changes)


def _active_filters(query: SearchQuery) -> list[ActiveFilter]:
    active = []
    if query.text:
        active.append(ActiveFilter(f"“{query.text}”", _url(_replace(query, text=""))))
    for facet in query.facet_names:
        for value in query.selected(facet):
            label = f"{facet_label(facet)}: {_facet_label(facet, value)}"
            active.append(ActiveFilter(label, _url(_without(query, facet, value))))
    if query.year_min is not None or query.year_max is not None:
        years = {"low": query.year_min or "…", "high": query.year_max or "…"}
        active.append(
            ActiveFilter(
                _("Published %(low)s to %(high)s") % years,
                _url(_replace(query, year_min=None, year_max=None)),
            )
        )
    if query.date_from is not None or query.date_to is not None:
        dates = {"low": query.date_from or "…", "high": query.date_to or "…"}
        active.append(
            ActiveFilter(
                _("Measured %(low)s to %(high)s") % dates,
                _url(_replace(query, date_from=None, date_to=None)),
            )
        )
    for cond in query.conditions:
        rest = tuple(c for c in query.conditions if c != cond)
        active.append(ActiveFilter(cond.describe(), _url(_replace(query, conditions=rest))))
    return active


def _pages(query: SearchQuery, total: int) -> dict | None:
    last = max(1, min(-(-total // query.page_size), MAX_RESULT_WINDOW // query.page_size))
    if last <= 1 and query.page <= 1:
        return None
    numbers = sorted(
        {1, last}
        | set(range(max(1, query.page - PAGE_WINDOW), min(last, query.page + PAGE_WINDOW) + 1))
    )
    items, previous = [], 0
    for n in numbers:
        if n - previous > 1:
            items.append({"gap": True})
        items.append(
            {"number": n, "url": _url(query, page=n if n > 1 else None), "current": n == query.page}
        )
        previous = n
    return {
        "items": items,
        "previous": _url(query, page=query.page - 1 if query.page > 2 else None)
        if query.page > 1
        else None,
        "next": _url(query, page=query.page + 1) if query.page < last else None,
        "last": last,
    }


def _cached_keys(user) -> list[KeyInfo]:
    principals = user_principals(user)
    scope = (settings.SEARCH_BACKEND, settings.ELASTICSEARCH_INDEX_PREFIX, principals)
    digest = hashlib.sha256(repr(scope).encode()).hexdigest()[:24]
    cache_key = f"search:keys:{digest}"
    keys = cache.get(cache_key)
    if keys is None:
        keys = scientific_keys(user=user, limit=200)
        cache.set(cache_key, keys, KEYS_CACHE_SECONDS)
    return keys


def _condition_rows(query: SearchQuery | None, raw: QueryDict) -> list[dict]:
    """Rows of the condition form: the current conditions, then one empty row."""
    rows = []
    conditions: tuple[Condition, ...] = query.conditions if query else ()
    if conditions:
        rows = [{"key": c.key, "op": c.op, "value": c.value, "unit": c.unit} for c in conditions]
    elif query is None:
        # Bad input: give the rows back as typed so they can be corrected.
        keys, ops = raw.getlist("ck"), raw.getlist("co")
        values, unit_list = raw.getlist("cv"), raw.getlist("cu")
        for i, key in enumerate(keys):
            rows.append(
                {
                    "key": key,
                    "op": ops[i] if i < len(ops) else "eq",
                    "value": values[i] if i < len(values) else "",
                    "unit": unit_list[i] if i < len(unit_list) else "",
                }
            )
        rows = [r for r in rows if r["key"] or r["value"]]
    rows.append({"key": "", "op": "gte", "value": "", "unit": ""})
    for i, row in enumerate(rows):
        row["index"] = i
    return rows


def _needs_canonical_url(get: QueryDict) -> bool:
    return any(name in get for name in ("ck", "co", "cv", "cu")) or any(
        not value.strip() for _, values in get.lists() for value in values
    )


@throttled("search_page")
def search_page(request: HttpRequest) -> HttpResponse:
    query: SearchQuery | None = None
    result = None
    error: SearchInputError | None = None
    unavailable = False
    try:
        query = parse_search_params(
            _with_condition_rows(request.GET), member=user_sees_unpublished(request.user)
        )
        if _needs_canonical_url(request.GET):
            # The form sends condition rows and empty fields: show the short, shareable URL.
            return HttpResponseRedirect(_url(query))
        result = search_datasets(user=request.user, query=query)
    except SearchInputError as exc:
        error = exc
    except SearchUnavailable:
        logger.warning("Search page: Elasticsearch is unavailable", exc_info=True)
        unavailable = True

    keys: list[KeyInfo] = []
    if not unavailable:
        try:
            keys = _cached_keys(request.user)
        except SearchUnavailable:
            unavailable = result is None
    shown = query or SearchQuery()
    units = sorted({u for k in keys for u in k.units} | set(COMMON_UNITS), key=str.lower)
    context = {
        "query": shown,
        "raw_q": request.GET.get("q", ""),
        "result": result,
        "error": error,
        "unavailable": unavailable,
        "facets": _facet_blocks(result.facets) if result else [],
        "active": _active_filters(shown) if query else [],
        "pages": _pages(shown, result.total) if result else None,
        "sorts": [(s, SORT_LABELS[s]) for s in SORTS],
        "current_sort": shown.effective_sort,
        "page_sizes": (10, 20, 50, 100),
        "operators": [(o, OPERATOR_LABELS[o]) for o in OPERATORS],
        "condition_rows": _condition_rows(query, request.GET),
        "keys": keys,
        "units": units,
        "api_url": "/api/v1/search" + ("?" + urlencode(search_params(shown)) if query else ""),
        "first_hit": shown.offset + 1,
        "last_hit": shown.offset + len(result.hits) if result else 0,
        "cards": result_cards(hits=result.hits, conditions=shown.conditions) if result else [],
    }
    status = 503 if unavailable else 400 if error else 200
    return render(request, "search/search.html", context, status=status)
