"""``datacite``: the plain DataCite kernel-4 resource, exactly what ``doi.datacite`` produces
for DOI registration (DataCite's own provider offers the same prefix)."""

from lxml import etree

from catalogue.snapshot import DatasetSnapshot
from doi.datacite import NAMESPACE, SCHEMA_LOCATION, datacite_resource

DATACITE_KERNEL_NS = NAMESPACE
DATACITE_SCHEMA = SCHEMA_LOCATION.split()[1]


def datacite_record_xml(snapshot: DatasetSnapshot) -> bytes:
    return etree.tostring(datacite_resource(snapshot), encoding="utf-8")
