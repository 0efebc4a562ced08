"""The metadata formats the provider disseminates (OAI-PMH 2.0 §3.4, ListMetadataFormats).

Each format renders one record's <metadata> content from the dataset snapshot; the
DataCite formats need a DOI (the kernel-4 identifier is mandatory), so datasets without one
are disseminated in oai_dc only.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from catalogue.snapshot import DatasetSnapshot
from oaipmh.formats import oai_dc


@dataclass(frozen=True)
class MetadataFormat:
    prefix: str
    schema: str
    namespace: str
    render: Callable[[DatasetSnapshot], bytes]
    requires_doi: bool = False


def _oai_datacite(snapshot: DatasetSnapshot) -> bytes:
    from oaipmh.formats.oai_datacite import oai_datacite_xml

    return oai_datacite_xml(snapshot, datacentre_symbol=settings.OAI_DATACENTRE_SYMBOL)


def _datacite(snapshot: DatasetSnapshot) -> bytes:
    from oaipmh.formats.datacite import datacite_record_xml

    return datacite_record_xml(snapshot)


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
            schema="http://schema.datacite.org/oai/oai-1.1/oai.xsd",
            namespace="http://schema.datacite.org/oai/oai-1.1/",
            render=_oai_datacite,
            requires_doi=True,
        ),
        MetadataFormat(
            prefix="datacite",
            schema="http://schema.datacite.org/meta/kernel-4.6/metadata.xsd",
            namespace="http://datacite.org/schema/kernel-4",
            render=_datacite,
            requires_doi=True,
        ),
    )
}
