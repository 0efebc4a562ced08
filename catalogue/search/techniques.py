"""PaNET's hierarchy in search: a technique also stands for its narrower techniques.

Selecting "scattering" finds datasets tagged "small angle x-ray scattering", as the PaNOSC
search API asks ("a technique also matches its narrower techniques"). The expansion happens
once per search, at query time, from ``Technique.broader``: the index keeps each dataset's own
techniques, so editing the hierarchy needs no reindex, and both backends use the same IRIs.
"""

from collections import defaultdict
from collections.abc import Iterable

from catalogue.models import Technique


def _hierarchy() -> tuple[dict[str, list[str]], dict[str, set[str]]]:
    """(IRIs by lower-case label, narrower IRIs by IRI) from the database. PaNET has labels
    shared by two classes ("small angle scattering"): a label stands for both."""
    by_id: dict[int, str] = {}
    by_label: dict[str, list[str]] = defaultdict(list)
    for pk, iri, label in Technique.objects.values_list("id", "iri", "label"):
        by_id[pk] = iri
        by_label[label.lower()].append(iri)
    narrower: dict[str, set[str]] = defaultdict(set)
    edges = Technique.broader.through.objects.values_list("from_technique_id", "to_technique_id")
    for child, parent in edges:
        if child in by_id and parent in by_id:
            narrower[by_id[parent]].add(by_id[child])
    return by_label, narrower


def with_narrower(iris: Iterable[str], narrower: dict[str, set[str]]) -> tuple[str, ...]:
    """The IRIs and every narrower technique's IRI below them (cycles are harmless)."""
    seen: dict[str, None] = {}
    stack = list(iris)
    while stack:
        iri = stack.pop(0)
        if iri in seen:
            continue
        seen[iri] = None
        stack.extend(sorted(narrower.get(iri, ())))
    return tuple(seen)


def techniques_with_narrower(values: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """For each selected technique (a PaNET label, any case, or IRI), the IRIs it stands for:
    its own and those of all narrower techniques. A value naming no technique is left out
    (an IRI or label nobody uses then simply matches as itself)."""
    values = list(dict.fromkeys(values))
    if not values:
        return {}
    by_label, narrower = _hierarchy()
    known = {iri for iris in by_label.values() for iri in iris}
    expanded: dict[str, tuple[str, ...]] = {}
    for value in values:
        iris = [value] if value in known else by_label.get(value.lower(), [])
        if iris:
            expanded[value] = with_narrower(iris, narrower)
    return expanded


def iris_with_narrower(iris: Iterable[str]) -> tuple[str, ...]:
    """IRIs plus every narrower technique's IRI (for callers that resolved names already)."""
    _, narrower = _hierarchy()
    return with_narrower(iris, narrower)
