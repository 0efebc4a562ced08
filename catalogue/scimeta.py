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
from django.utils.translation import gettext as _

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
        raise ValidationError(_("Scientific metadata must be a JSON object."))
    count = 0

    def walk(node: Any, path: str, depth: int) -> None:
        nonlocal count
        if depth > MAX_DEPTH:
            raise ValidationError(
                _("%(path)s: nested deeper than %(n)s levels.") % {"path": path, "n": MAX_DEPTH}
            )
        if isinstance(node, dict):
            quantity = _quantity(node) if path else None
            if quantity is not None:
                count += 1
                unit = node.get("unit", node.get("u"))
                if unit is not None and not isinstance(unit, str):
                    raise ValidationError(
                        _("%(path)s: the unit must be a string.") % {"path": path}
                    )
                if isinstance(quantity[0], dict):
                    raise ValidationError(
                        _("%(path)s: a value cannot be an object.") % {"path": path}
                    )
                return
            for key in node:
                if not isinstance(key, str) or not key.strip():
                    raise ValidationError(
                        _("%(path)s: keys must be non-empty.") % {"path": path or _("top level")}
                    )
                if "." in key or key.startswith("$"):
                    raise ValidationError(
                        _("%(key)s: keys may not contain '.' or start with '$'.")
                        % {"key": f"{path + '.' if path else ''}{key}"}
                    )
                walk(node[key], f"{path}.{key}" if path else key, depth + 1)
        else:
            count += 1
        if count > MAX_ENTRIES:
            raise ValidationError(
                _("More than %(n)s scientific metadata entries.") % {"n": MAX_ENTRIES}
            )

    walk(metadata, "", 0)
