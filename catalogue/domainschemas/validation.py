"""Compile a schema source into JSON Schema 2020-12 and check scientific metadata against it.

Pure functions, no database: :func:`compile_schema` (at upload), :func:`metadata_violations`
(at every check). See the package docstring for what the schema sees.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import yaml
from django.utils.translation import gettext as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

JSON_SCHEMA = "json-schema"
LINKML = "linkml"
DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
MAX_SOURCE_BYTES = 1_000_000
MAX_VIOLATIONS = 50  # per schema: enough to fix a record, not a flood


class SchemaSourceError(ValueError):
    """The uploaded schema itself is unusable; the message says why, for people."""


def _json_schema(source: str) -> dict:
    try:
        schema = json.loads(source)
    except json.JSONDecodeError as exc:
        raise SchemaSourceError(
            _("Not JSON: %(msg)s (line %(line)s, column %(col)s).")
            % {"msg": exc.msg, "line": exc.lineno, "col": exc.colno}
        ) from None
    if not isinstance(schema, dict):
        raise SchemaSourceError(_("A JSON Schema must be a JSON object."))
    declared = schema.get("$schema")
    if declared is None:
        schema = {"$schema": DRAFT_2020_12, **schema}
    elif str(declared).rstrip("#") != DRAFT_2020_12:
        raise SchemaSourceError(
            _("The schema declares %(declared)s; the portal checks draft 2020-12 (%(url)s).")
            % {"declared": declared, "url": DRAFT_2020_12}
        )
    return schema


def _linkml_schema(source: str) -> dict:
    try:
        tree = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise SchemaSourceError(_("Not YAML: %(error)s") % {"error": exc}) from None
    if not isinstance(tree, dict) or not tree.get("classes"):
        raise SchemaSourceError(_("A LinkML schema is a YAML mapping with at least one class."))
    roots = [n for n, c in tree["classes"].items() if isinstance(c, dict) and c.get("tree_root")]
    if len(roots) != 1:
        raise SchemaSourceError(
            _(
                "Mark exactly one class with “tree_root: true”: the class that describes the "
                "whole scientific metadata (found %(count)s)."
            )
            % {"count": len(roots)}
        )
    # Imported here: linkml is large and only uploads need it. Its loaders log every
    # inference at INFO; the portal's logs want only its warnings.
    for name in ("linkml", "linkml_runtime"):
        logging.getLogger(name).setLevel(logging.WARNING)
    from linkml.generators.jsonschemagen import JsonSchemaGenerator

    _check_linkml_ranges(source)
    try:
        generated = JsonSchemaGenerator(source, top_class=roots[0]).serialize()
    except Exception as exc:  # the generator raises many kinds (ValueError, KeyError, ...)
        raise SchemaSourceError(
            _("The LinkML generator could not convert the schema: %(error)s")
            % {"error": f"{type(exc).__name__}: {exc}"}
        ) from None
    schema = json.loads(generated)
    # The generator labels its output 2019-09; it uses no keyword whose meaning changed in
    # 2020-12 (no array-form "items", no $recursiveRef), and every schema here is checked as
    # one draft, so the label says so.
    schema["$schema"] = DRAFT_2020_12
    return schema


# linkml:types, which a schema may use without importing it.
LINKML_TYPES = set(
    [
        "string",
        "integer",
        "float",
        "double",
        "decimal",
        "boolean",
        "time",
        "date",
        "datetime",
        "date_or_datetime",
        "uriorcurie",
        "curie",
        "uri",
        "ncname",
        "objectidentifier",
        "nodeidentifier",
        "jsonpointer",
        "jsonpath",
        "sparqlpath",
    ]
)


def _check_linkml_ranges(source: str) -> None:
    """Every slot's range names a class, enum or type: the generator would silently make an
    unknown range a string, and the schema would check less than its author meant."""
    from linkml_runtime.utils.schemaview import SchemaView

    try:
        view = SchemaView(source)
        known = set(view.all_classes()) | set(view.all_enums()) | set(view.all_types())
        unknown = sorted({
            f"{cls}.{slot.name}: {slot.range}"
            for cls in view.all_classes() for slot in view.class_induced_slots(cls)
            if slot.range and slot.range not in known and slot.range not in LINKML_TYPES
        })  # fmt: skip
    except Exception as exc:
        raise SchemaSourceError(
            _("The LinkML schema cannot be read: %(error)s")
            % {"error": f"{type(exc).__name__}: {exc}"}
        ) from None
    if unknown:
        raise SchemaSourceError(
            _("Unknown range(s), neither a class, an enum nor a type: %(list)s.")
            % {"list": "; ".join(unknown)}
        )


def compile_schema(*, kind: str, source: str) -> dict:
    """The JSON Schema (2020-12) to store for ``source``; :class:`SchemaSourceError` if the
    source is not a valid schema of its kind."""
    # Memoised (a pure function): the admin's form checks the upload and the writer stores it,
    # and the LinkML generator takes seconds.
    return json.loads(_compiled(kind, source))


@functools.lru_cache(maxsize=16)
def _compiled(kind: str, source: str) -> str:
    if len(source.encode()) > MAX_SOURCE_BYTES:
        raise SchemaSourceError(
            _("The schema is larger than %(n)s bytes.") % {"n": f"{MAX_SOURCE_BYTES:,}"}
        )
    if not source.strip():
        raise SchemaSourceError(_("The schema is empty: upload a file or paste it."))
    if kind == JSON_SCHEMA:
        schema = _json_schema(source)
    elif kind == LINKML:
        schema = _linkml_schema(source)
    else:
        raise SchemaSourceError(_("Unknown schema kind %(kind)r.") % {"kind": kind})
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = pointer(exc.absolute_path) or "(root)"
        raise SchemaSourceError(
            _("Not a valid JSON Schema 2020-12 at %(where)s: %(message)s (rule %(rule)s).")
            % {"where": where, "message": exc.message, "rule": exc.validator}
        ) from None
    try:  # every $ref resolves (check_schema does not follow references)
        Draft202012Validator(schema).is_valid({})
    except Exception as exc:
        raise SchemaSourceError(
            _("The schema cannot be used: %(error)s") % {"error": f"{type(exc).__name__}: {exc}"}
        ) from None
    return json.dumps(schema)


def pointer(path: Iterable[Any]) -> str:
    """RFC 6901 JSON pointer of a path of keys and indexes ("" is the whole document)."""
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


@dataclass(frozen=True)
class Violation:
    """One broken rule: where (JSON pointer into the stored metadata), what, which rule."""

    pointer: str
    message: str  # jsonschema's own wording
    rule: str  # the JSON Schema keyword that failed (maximum, enum, required, ...)
    schema_name: str
    schema_version: int

    @property
    def schema_label(self) -> str:
        return f"{self.schema_name} v{self.schema_version}"

    def text(self) -> str:
        return _("%(pointer)s: %(message)s (schema %(schema)s, rule %(rule)s)") % {
            "pointer": self.pointer or "(root)",
            "message": self.message,
            "schema": self.schema_label,
            "rule": self.rule,
        }

    def as_dict(self) -> dict:
        return {"pointer": self.pointer, "message": self.message, "rule": self.rule,
                "schema": self.schema_name, "schema_version": self.schema_version}  # fmt: skip


def schema_view(metadata: Any) -> tuple[Any, set[tuple]]:
    """The metadata as schemas see it, and the paths whose quantity was in the short form.

    ``{"v": 9, "u": "keV"}`` (only those keys) becomes ``{"value": 9, "unit": "keV"}``.
    """
    short: set[tuple] = set()

    def walk(node: Any, path: tuple) -> Any:
        if isinstance(node, dict):
            if path and "v" in node and set(node) <= {"v", "u"}:
                short.add(path)
                out = {"value": walk(node["v"], (*path, "v"))}
                if "u" in node:
                    out["unit"] = node["u"]
                return out
            return {k: walk(v, (*path, k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, (*path, i)) for i, v in enumerate(node)]
        return node

    return walk(metadata, ()), short


def _stored_path(path: Iterable[Any], short: set[tuple]) -> list:
    out: list = []
    for part in path:
        if tuple(out) in short and part in ("value", "unit"):
            part = "v" if part == "value" else "u"
        out.append(part)
    return out


def _null_branch(errors: list[ValidationError]) -> bool:
    """The branch failed only because the value has another type (``{"type": "null"}``)."""
    return all(e.validator == "type" and not e.relative_path for e in errors)


def _leaves(error: ValidationError) -> Iterator[ValidationError]:
    """Into an anyOf/oneOf when only one branch is a real candidate (LinkML writes optional
    inlined objects as ``anyOf: [{"$ref": ...}, {"type": "null"}]``): its errors say more than
    "is not valid under any of the given schemas"."""
    if error.validator in ("anyOf", "oneOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        real = [errs for errs in branches.values() if not _null_branch(errs)]
        if len(real) == 1 and len(branches) > 1:
            for sub in real[0]:
                yield from _leaves(sub)
            return
    yield error


def metadata_violations(
    *, schema: dict, metadata: Any, schema_name: str, schema_version: int
) -> list[Violation]:
    """Every broken rule of ``schema`` in ``metadata`` (at most MAX_VIOLATIONS), by pointer."""
    view, short = schema_view(metadata if metadata is not None else {})
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found: dict[tuple[str, str, str], Violation] = {}
    for error in validator.iter_errors(view):
        for leaf in _leaves(error):
            where = pointer(_stored_path(leaf.absolute_path, short))
            v = Violation(where, leaf.message, str(leaf.validator), schema_name, schema_version)
            found.setdefault((v.pointer, v.rule, v.message), v)
    return sorted(found.values(), key=lambda v: (v.pointer, v.rule))[:MAX_VIOLATIONS]


def violations_by_path(violations: Iterable[Violation], *, field: str = "scientific_metadata"):
    """Errors keyed as DatasetInputError keys them, with the pointer under the field:
    ``{"scientific_metadata/sample/temperature/value": ["... (schema X v2, rule maximum)"]}``."""
    out: dict[str, list[str]] = {}
    for v in violations:
        out.setdefault(field + v.pointer, []).append(v.text())
    return out
