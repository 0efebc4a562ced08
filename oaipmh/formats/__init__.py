"""The metadata formats the provider disseminates (OAI-PMH 2.0 §3.4, ListMetadataFormats).

Each format renders one record's <metadata> content from the dataset snapshot; the
DataCite formats need a DOI (the kernel-4 identifier is mandatory), so datasets without one
are disseminated in oai_dc only.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from catalogue.snapshot import DatasetSnapshot
from oaipmh.formats import datacite, oai_datacite, oai_dc


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    render: Callable[[DatasetSnapshot], bytes]
    requires_doi: bool = False


def _oai_datacite(snapshot: DatasetSnapshot) -> bytes:
    return oai_datacite.oai_datacite_xml(snapshot, datacentre_symbol=settings.OAI_DATACENTRE_SYMBOL)


FORMATS: dict[str, MetadataFormat] = {
    f.prefix: f
    for f in (
        MetadataFormat(
            prefix="oai_dc",
            schema=oai_dc.OAI_DC_SCHEMA,
            namespace=oai_dc.OAI_DC_NS,
            render=oai_dc.oai_dc_xml,
        ),
        MetadataFormat(
            prefix="oai_datacite",
            schema=oai_datacite.OAI_DATACITE_SCHEMA,
            namespace=oai_datacite.OAI_DATACITE_NS,
            render=_oai_datacite,
            requires_doi=True,
        ),
        MetadataFormat(
            prefix="datacite",
            schema=datacite.DATACITE_SCHEMA,
            namespace=datacite.DATACITE_KERNEL_NS,
            render=datacite.datacite_record_xml,
            requires_doi=True,
        ),
    )
}
