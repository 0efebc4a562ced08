"""Which domain-metadata schemas apply to a dataset, and what its metadata breaks of them."""

from __future__ import annotations

from collections.abc import Iterable

from catalogue.domainschemas.validation import Violation, metadata_violations
from catalogue.models import Dataset, MetadataSchema, Technique


def technique_ancestors(technique_ids: Iterable[int]) -> set[int]:
    """The techniques and every broader technique above them (PaNET; cycles are harmless)."""
    edges: dict[int, set[int]] = {}
    for child, parent in Technique.broader.through.objects.values_list(
        "from_technique_id", "to_technique_id"
    ):
        edges.setdefault(child, set()).add(parent)
    seen: set[int] = set()
    stack = list(technique_ids)
    while stack:
        tid = stack.pop()
        if tid in seen:
            continue
        seen.add(tid)
        stack.extend(edges.get(tid, ()))
    return seen


def schemas_applying(
    *, technique_ids: Iterable[int], instrument_id: int | None
) -> list[MetadataSchema]:
    """Active schemas for the instrument, a technique, or a broader technique (by name)."""
    active = MetadataSchema.objects.filter(active=True)
    if not active.exists():  # the common case costs one query
        return []
    technique_ids = list(technique_ids)
    ancestors = technique_ancestors(technique_ids) if technique_ids else set()
    matched = active.filter(techniques__in=ancestors) if ancestors else active.none()
    if instrument_id is not None:
        matched = matched | active.filter(instruments=instrument_id)
    return list(matched.distinct().order_by("name"))


def dataset_schemas(dataset: Dataset) -> list[MetadataSchema]:
    technique_ids = [t.pk for t in dataset.techniques.all()] if dataset.pk else []
    return schemas_applying(technique_ids=technique_ids, instrument_id=dataset.instrument_id)


def dataset_schema_report(dataset: Dataset) -> list[tuple[MetadataSchema, list[Violation]]]:
    """Each applying schema with the violations of the dataset's scientific metadata."""
    return [
        (
            schema,
            metadata_violations(
                schema=schema.json_schema,
                metadata=dataset.scientific_metadata,
                schema_name=schema.name,
                schema_version=schema.version,
            ),
        )
        for schema in dataset_schemas(dataset)
    ]


def dataset_schema_violations(dataset: Dataset) -> list[Violation]:
    return [v for _, violations in dataset_schema_report(dataset) for v in violations]
