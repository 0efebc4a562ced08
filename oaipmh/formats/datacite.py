"""``datacite``: the plain DataCite kernel-4 resource, exactly what ``doi.datacite`` produces
for DOI registration (DataCite's own provider offers the same prefix)."""

from lxml import etree

from catalogue.snapshot import DatasetSnapshot
from doi.datacite import datacite_resource

DATACITE_KERNEL_NS = "http://datacite.org/schema/kernel-4"
DATACITE_SCHEMA = "http://schema.datacite.org/meta/kernel-4.6/metadata.xsd"


def datacite_record_xml(snapshot: DatasetSnapshot) -> bytes:
    return etree.tostring(datacite_resource(snapshot), encoding="utf-8")
