"""Dublin Core for OAI-PMH (``oai_dc``, OAI-PMH 2.0 §6 and oai_dc.xsd): a pure function of the
dataset snapshot.

Mapped the way DataCite's own provider maps its kernel to DC, with the OpenAIRE conventions
harvesters of research data look for (``info:eu-repo/semantics/...`` access rights, the embargo
end date): identifiers as resolvable URLs, dates in ISO 8601.
"""

import re

from lxml import etree

from catalogue.snapshot import DatasetSnapshot

OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
OAI_DC_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai_dc.xsd"
_NSMAP = {"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": XSI_NS}

# XML 1.0 forbids these characters; lxml refuses them, so one stray control character in a
# description would otherwise break a whole harvest.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _related_url(identifier_type: str, identifier: str, url: str) -> str:
    return url or f"{identifier_type}:{identifier}"


def oai_dc_values(snapshot: DatasetSnapshot) -> list[tuple[str, str]]:
    """The (DC element, value) pairs of the record, in document order."""
    s = snapshot
    out: list[tuple[str, str]] = [("title", s.title)]
    out += [("title", t.get("title", "")) for t in s.additional_titles]
    out += [("creator", c.name) for c in s.creators]
    out += [("contributor", c.name) for c in s.contributors]
    out += [("subject", k) for k in s.keywords]
    out += [("subject", subj.get("subject", "")) for subj in s.subjects]
    out += [("subject", t.label) for t in s.techniques]
    if s.description:
        out.append(("description", s.description))
    out += [("description", d.get("description", "")) for d in s.additional_descriptions]
    if s.publisher:
        out.append(("publisher", s.publisher))
    if s.publication_year:
        out.append(("date", str(s.publication_year)))
    if s.collection_start:
        period = s.collection_start.date().isoformat()
        if s.collection_end:
            period += "/" + s.collection_end.date().isoformat()
        out.append(("date", period))
    if s.embargo_until:
        out.append(("date", f"info:eu-repo/date/embargoEnd/{s.embargo_until.isoformat()}"))
    out.append(("type", s.resource_type_general))
    if s.resource_type:
        out.append(("type", s.resource_type))
    out += [("format", m) for m in s.media_types]
    if s.doi:
        out.append(("identifier", s.doi_url))
    out.append(("identifier", s.url))
    if s.language:
        out.append(("language", s.language))
    out += [
        ("relation", _related_url(r.identifier_type, r.identifier, r.url))
        for r in (*s.related_identifiers, *s.version_relations)  # versions: the snapshot's
    ]
    out.append(
        (
            "rights",
            "info:eu-repo/semantics/embargoedAccess"
            if s.embargo_until and s.published_at and s.embargo_until > s.published_at.date()
            else "info:eu-repo/semantics/openAccess",
        )
    )
    if s.licence:
        out += [("rights", s.licence.name), ("rights", s.licence.url)]
    return [(name, _XML_INVALID.sub("\ufffd", value)) for name, value in out if value]


def oai_dc_element(snapshot: DatasetSnapshot) -> etree._Element:
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap=_NSMAP)
    root.set(f"{{{XSI_NS}}}schemaLocation", f"{OAI_DC_NS} {OAI_DC_SCHEMA}")
    for name, value in oai_dc_values(snapshot):
        etree.SubElement(root, f"{{{DC_NS}}}{name}").text = value
    return root


def oai_dc_xml(snapshot: DatasetSnapshot) -> bytes:
    return etree.tostring(oai_dc_element(snapshot), encoding="utf-8")
