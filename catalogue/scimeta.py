"""Scientific metadata as SciCat ingestors send it, flattened into (key, value, unit) entries.

Accepted shapes (SciCat ``scientificMetadata``)::

    {"temperature": {"value": 300, "unit": "K"}}          # quantity
    {"energy": {"v": 9, "u": "keV"}}                        # short form
    {"sample": {"holder": {"value": 2, "unit": "mm"}}}      # nested -> key "sample.holder"
    {"comment": "annealed"}                                 # plain value, no unit

A dict holding a ``value`` key (SciCat also adds ``valueSI``/``unitSI``) or only ``v``/``u`` is
one quantity; any other dict nests. Keys may not contain dots (they build the dotted path, as
in SciCat/MongoDB) nor start with ``$``.
"""

import math
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

MAX_DEPTH = 10
MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class ScientificEntry:
    key: str
    value: Any
    unit: str = ""

    @property
    def number(self) -> float | None:
        """The value as a finite float, if it is a number (bools are not)."""
        if isinstance(self.value, bool) or not isinstance(self.value, int | float):
            return None
        value = float(self.value)
        return value if math.isfinite(value) else None


def _quantity(node: dict) -> tuple[Any, str] | None:
    if "value" in node:
        return node["value"], str(node.get("unit") or "")
    if "v" in node and set(node) <= {"v", "u"}:
        return node["v"], str(node.get("u") or "")
    return None


def scientific_entries(metadata: dict) -> list[ScientificEntry]:
    """Every leaf of the metadata as an entry with a dotted key, in document order."""
    entries: list[ScientificEntry] = []

    def walk(node: Any, prefix: str) -> None:
        if isinstance(node, dict):
            quantity = _quantity(node) if prefix else None
            if quantity is not None:
                entries.append(ScientificEntry(prefix, quantity[0], quantity[1]))
                return
            for key, child in node.items():
                walk(child, f"{prefix}.{key}" if prefix else str(key))
        elif prefix:
            entries.append(ScientificEntry(prefix, node, ""))

    walk(metadata or {}, "")
    return entries


def validate_scientific_metadata(metadata: Any) -> None:
    """Django validator: the shape above, bounded in depth and size, named problems."""
    if not isinstance(metadata, dict):
        raise ValidationError("Scientific metadata must be a JSON object.")
    count = 0

    def walk(node: Any, path: str, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH:
            raise ValidationError(f"{path}: nested deeper than {MAX_DEPTH} levels.")
        if isinstance(node, dict):
            quantity = _quantity(node) if path else None
            if quantity is not None:
                count += 1
                unit = node.get("unit", node.get("u"))
                if unit is not None and not isinstance(unit, str):
                    raise ValidationError(f"{path}: the unit must be a string.")
                if isinstance(quantity[0], dict):
                    raise ValidationError(f"{path}: a value cannot be an object.")
                return
            for key in node:
                if not isinstance(key, str) or not key.strip():
                    raise ValidationError(f"{path or 'top level'}: keys must be non-empty.")
                if "." in key or key.startswith("$"):
                    raise ValidationError(
                        f"{path + '.' if path else ''}{key}: keys may not contain '.' "
                        "or start with '$'."
                    )
                walk(node[key], f"{path}.{key}" if path else key, depth + 1)
        else:
            count += 1
        if count > MAX_ENTRIES:
            raise ValidationError(f"More than {MAX_ENTRIES} scientific metadata entries.")

    walk(metadata, "", 0)
