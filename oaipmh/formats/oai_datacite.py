"""``oai_datacite``: the DataCite kernel-4 resource inside DataCite's oai-1.1 envelope, as
DataCite's own OAI-PMH provider serves it (schemaVersion, datacentreSymbol, payload).

The resource is the one DataCite mapping of the portal (``doi.datacite.datacite_resource``),
the same the DOI registration sends: one mapping, never two.
"""

from lxml import etree

from catalogue.snapshot import DatasetSnapshot
from doi.datacite import datacite_resource

OAI_DATACITE_NS = "http://schema.datacite.org/oai/oai-1.1/"
OAI_DATACITE_SCHEMA = "http://schema.datacite.org/oai/oai-1.1/oai.xsd"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"


def kernel_version(resource: etree._Element) -> str:
    """The kernel version the resource declares (".../kernel-4.6/metadata.xsd" -> "4.6")."""
    location = resource.get(f"{{{XSI_NS}}}schemaLocation", "")
    for part in location.split():
        if part.endswith(".xsd") and "/kernel-" in part:
            return part.split("/kernel-", 1)[1].split("/", 1)[0]
    return "4"


def oai_datacite_element(snapshot: DatasetSnapshot, *, datacentre_symbol: str) -> etree._Element:
    resource = datacite_resource(snapshot)
    nsmap = {None: OAI_DATACITE_NS, "xsi": XSI_NS}
    root = etree.Element(f"{{{OAI_DATACITE_NS}}}oai_datacite", nsmap=nsmap)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DATACITE_NS} {OAI_DATACITE_SCHEMA}")
    etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}schemaVersion").text = kernel_version(resource)
    etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}datacentreSymbol").text = datacentre_symbol
    etree.SubElement(root, f"{{{OAI_DATACITE_NS}}}payload").append(resource)
    return root


def oai_datacite_xml(snapshot: DatasetSnapshot, *, datacentre_symbol: str) -> bytes:
    return etree.tostring(
        oai_datacite_element(snapshot, datacentre_symbol=datacentre_symbol), encoding="utf-8"
    )
