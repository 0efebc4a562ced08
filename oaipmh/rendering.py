"""Records' metadata for responses: rendered once per record, format and datestamp.

A ListRecords response spends most of its time building dataset snapshots and rendering them
(the DataCite mapping). A record's metadata changes only when its datestamp changes (every
change of a dataset, and of the facility, instrument or technique it names, moves its
``updated_at``: see ``catalogue.services.context``), so a rendering is stored in
:class:`oaipmh.models.RenderedMetadata` and reused as long as the record's datestamp and the
code and settings that shape the output are the same (:func:`render_version`). Records are
rendered right after they change (:func:`render_records`, queued when the catalogue sends
``datasets_changed``); what is still missing is rendered by the harvest that needs it.
"""

import hashlib
import logging
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import lxml
from django.conf import settings
from django.db import DatabaseError, transaction

from oaipmh import selectors
from oaipmh.formats import FORMATS, MetadataFormat
from oaipmh.models import RenderedMetadata

logger = logging.getLogger(__name__)

_ROOT = Path(__file__).resolve().parent.parent
# The code a record's metadata depends on: its snapshot, the vocabularies and identifiers it
# uses, the DataCite mapping, and the formats.
_RENDERING_CODE = [
    "catalogue/snapshot.py",
    "catalogue/scimeta.py",
    "catalogue/vocabularies.py",
    "doi/datacite.py",
    "doi/identifiers.py",
    *sorted(str(p.relative_to(_ROOT)) for p in (_ROOT / "oaipmh" / "formats").glob("*.py")),
]


@cache
def _code_digest() -> bytes:
    digest = hashlib.sha256(lxml.__version__.encode())
    for name in _RENDERING_CODE:
        digest.update(name.encode() + b"\0" + (_ROOT / name).read_bytes())
    return digest.digest()


def render_version() -> str:
    """Changes whenever the rendered output could: new code, or another base URL or symbol."""
    digest = hashlib.sha256(_code_digest())
    digest.update(f"{settings.BASE_URL}\0{settings.OAI_DATACENTRE_SYMBOL}".encode())
    return digest.hexdigest()[:16]


def metadata_of(items: Iterable[selectors.Item], fmt: MetadataFormat) -> dict[int, bytes]:
    """The <metadata> content of the live items (deleted ones have none), by dataset id.

    Stored renderings are used where they are current; the rest are rendered from fresh
    snapshots and stored for the next harvest.
    """
    stamps = {i.dataset_id: i.datestamp for i in items if not i.deleted and i.dataset_id}
    if not stamps:
        return {}
    version = render_version()
    stored = RenderedMetadata.objects.filter(
        dataset_id__in=list(stamps), prefix=fmt.prefix, version=version
    ).values_list("dataset_id", "datestamp", "xml")
    found = {pk: bytes(xml) for pk, datestamp, xml in stored if stamps[pk] == datestamp}
    missing = [pk for pk in stamps if pk not in found]
    if missing:
        snapshots = selectors.snapshots_by_id(missing)
        fresh = {pk: fmt.render(snapshot) for pk, snapshot in snapshots.items()}
        _store(fresh, stamps=stamps, prefix=fmt.prefix, version=version)
        found.update(fresh)
    return found


def render_records(dataset_ids: Iterable[int]) -> int:
    """Render and store the metadata of these records in every format, unless current.

    Run after datasets changed (``oaipmh.tasks.render_records``), so that harvests read stored
    metadata instead of rendering it; records no longer public are skipped. Returns how many
    renderings are current now.
    """
    ids = list(dataset_ids)
    return sum(
        len(metadata_of(selectors.live_items(ids, requires_doi=fmt.requires_doi), fmt))
        for fmt in FORMATS.values()
    )


def _store(rendered: dict[int, bytes], *, stamps: dict, prefix: str, version: str) -> None:
    rows = [
        RenderedMetadata(dataset_id=pk, prefix=prefix, datestamp=stamps[pk], version=version,
                         xml=xml)
        for pk, xml in rendered.items()
    ]  # fmt: skip
    try:
        with transaction.atomic():
            RenderedMetadata.objects.bulk_create(
                rows,
                update_conflicts=True,
                unique_fields=["dataset", "prefix"],
                update_fields=["datestamp", "version", "xml"],
            )
    except DatabaseError:
        # Only a cache: a failed write (a dataset deleted meanwhile, a read-only replica) must
        # not break the response; the records are rendered again next time.
        logger.warning("Could not store %d rendered records", len(rows), exc_info=True)
