"""The one writer of domain-metadata schemas (:class:`catalogue.models.MetadataSchema`).

The admin and ``manage.py load_schema`` (and the demo) call :func:`metadata_schema_save`. It
compiles the source once (LinkML through the linkml project's JSON Schema generator) and
stores the result beside it, gives a new upload under an existing name the next version, keeps
one active version per name, and refuses changes to a stored version's source. Errors are one
:class:`DatasetInputError` keyed by field (``source``, ``techniques``, ...); nothing is
written then.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max, Q
from django.utils.translation import gettext as _

from catalogue.domainschemas.validation import SchemaSourceError, compile_schema
from catalogue.models import Instrument, MetadataSchema, Technique
from catalogue.panet import PANET_BASE
from catalogue.services.errors import DatasetInputError


def resolve_techniques(values: Iterable[Technique | str]) -> list[Technique]:
    """Techniques from instances, PaNET IRIs, ids (``PaNET01164``) or exact labels."""
    out, unknown = [], []
    for value in values:
        if isinstance(value, Technique):
            out.append(value)
            continue
        text = str(value).strip()
        iri = text if text.startswith("http") else PANET_BASE + text
        found = Technique.objects.filter(Q(iri=iri) | Q(label__iexact=text)).first()
        (out.append(found) if found else unknown.append(text))
    if unknown:
        raise DatasetInputError(
            {"techniques": [_("Unknown PaNET technique(s): %s.") % ", ".join(unknown)]}
        )
    return out


def resolve_instruments(values: Iterable[Instrument | str]) -> list[Instrument]:
    """Instruments from instances or codes."""
    out, unknown = [], []
    for value in values:
        if isinstance(value, Instrument):
            out.append(value)
            continue
        found = Instrument.objects.filter(code=str(value).strip()).first()
        (out.append(found) if found else unknown.append(str(value)))
    if unknown:
        raise DatasetInputError(
            {"instruments": [_("Unknown instrument code(s): %s.") % ", ".join(unknown)]}
        )
    return out


@transaction.atomic
def metadata_schema_save(
    *,
    schema: MetadataSchema,
    techniques: Iterable[Technique | str] | None = None,
    instruments: Iterable[Instrument | str] | None = None,
    actor=None,
) -> MetadataSchema:
    """Store a new version (``schema.pk`` is None) or the editable parts of a stored one
    (active, title, description, what it applies to). ``None`` leaves a relation unchanged."""
    techniques = None if techniques is None else resolve_techniques(techniques)
    instruments = None if instruments is None else resolve_instruments(instruments)
    if schema.pk is None:
        try:
            schema.json_schema = compile_schema(kind=schema.kind, source=schema.source)
        except SchemaSourceError as exc:
            raise DatasetInputError({"source": [str(exc)]}) from None
        # Lock the name's versions: two uploads at once get consecutive numbers.
        siblings = MetadataSchema.objects.select_for_update().filter(name=schema.name)
        list(siblings)
        schema.version = (siblings.aggregate(n=Max("version"))["n"] or 0) + 1
        if actor is not None and getattr(actor, "is_authenticated", False):
            schema.created_by = actor
    else:
        stored = MetadataSchema.objects.select_for_update().get(pk=schema.pk)
        if (stored.name, stored.kind, stored.source) != (schema.name, schema.kind, schema.source):
            message = _("A stored version cannot change: upload the new text under the same "
                        "name, it becomes the next version.")  # fmt: skip
            raise DatasetInputError({"source": [message]})
        schema.json_schema, schema.version = stored.json_schema, stored.version
    if schema.active:
        MetadataSchema.objects.filter(name=schema.name, active=True).exclude(pk=schema.pk).update(
            active=False
        )
    schema.save()
    if techniques is not None:
        schema.techniques.set(techniques)
    if instruments is not None:
        schema.instruments.set(instruments)
    return schema


def metadata_schema_load(
    *,
    name: str,
    kind: str,
    source: str,
    techniques: Iterable[Technique | str] = (),
    instruments: Iterable[Instrument | str] = (),
    title: str = "",
    description: str = "",
    actor=None,
    if_changed: bool = False,
) -> tuple[MetadataSchema, bool]:
    """Upload ``source`` as the next active version of ``name`` (``manage.py load_schema``, the
    demo). With ``if_changed``, the same source as the active version only updates what it
    applies to. A new version given no techniques nor instruments applies where the previous
    version did. Returns (the version, whether a new version was stored)."""
    if if_changed:
        current = MetadataSchema.objects.filter(name=name, active=True).first()
        if current is not None and (current.kind, current.source) == (kind, source):
            current.title, current.description = title or current.title, description or ""
            return metadata_schema_save(schema=current, techniques=techniques,
                                        instruments=instruments, actor=actor), False  # fmt: skip
    techniques, instruments = list(techniques), list(instruments)
    previous = MetadataSchema.objects.filter(name=name).order_by("-version").first()
    if previous is not None and not techniques and not instruments:
        # A new version of a schema applies where the last one did, unless told otherwise.
        techniques, instruments = list(previous.techniques.all()), list(previous.instruments.all())
    schema = MetadataSchema(name=name, kind=kind, source=source, title=title,
                            description=description, active=True)  # fmt: skip
    return metadata_schema_save(schema=schema, techniques=techniques, instruments=instruments,
                                actor=actor), True  # fmt: skip
