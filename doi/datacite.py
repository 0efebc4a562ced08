"""The one DataCite mapping: a dataset snapshot as DataCite Metadata Schema 4.6.

Three pure functions of :class:`catalogue.snapshot.DatasetSnapshot` (no database, no request):

* :func:`datacite_resource`: the ``<resource>`` element (kernel-4 namespace, 4.6 schemaLocation);
* :func:`datacite_xml`: the whole document as UTF-8 bytes with an XML declaration;
* :func:`datacite_attributes`: the ``data.attributes`` object of the DataCite REST API
  (``GET /dois/{id}`` / ``PUT /dois/{id}``), as DataCite's own API writes it.

The landing page exports, ``/api/v1/datasets/<pid>/datacite.(xml|json)``, OAI-PMH
(``oai_datacite``) and DOI registration all call these: there is no second mapping. Both forms
are built from one intermediate list of plain dicts (:func:`_properties`), so the XML and the
JSON cannot disagree.

Section numbers refer to the DataCite Metadata Schema 4.6 documentation
(https://doi.org/10.14454/mzv1-5b55). Mandatory properties a draft may still lack are filled
with DataCite's standard values for unknown information (Appendix 3: ``(:tba)``, ``(:unav)``)
so that every record, whatever its status, stays valid against the XSD.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from lxml import etree

from catalogue.snapshot import AgentSnapshot, DatasetSnapshot

NAMESPACE = "http://datacite.org/schema/kernel-4"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
SCHEMA_LOCATION = f"{NAMESPACE} http://schema.datacite.org/meta/kernel-4.6/metadata.xsd"
SCHEMA_VERSION = "http://datacite.org/schema/kernel-4"

ORCID_SCHEME_URI = "https://orcid.org"
ROR_SCHEME_URI = "https://ror.org"
SPDX_SCHEME_URI = "https://spdx.org/licenses/"
PANET_SCHEME = "PaNET"
PANET_SCHEME_URI = "http://purl.org/pan-science/PaNET/PaNET.owl"
FUNDER_SCHEME_URIS = {
    "ROR": "https://ror.org/",
    "Crossref Funder ID": "https://doi.org/10.13039/",
    "ISNI": "https://isni.org/isni/",
}
# DataCite Appendix 3: standard values for unknown information.
TO_BE_ASSIGNED = "(:tba)"
UNAVAILABLE = "(:unav)"
# OpenAIRE Guidelines for Data Archives, access rights (info:eu-repo vocabulary), which
# harvesters (OpenAIRE, B2FIND) read from rightsList next to the licence.
OPEN_ACCESS = ("Open Access", "info:eu-repo/semantics/openAccess")
EMBARGOED_ACCESS = ("Embargoed Access", "info:eu-repo/semantics/embargoedAccess")
CLOSED_ACCESS = ("Closed Access", "info:eu-repo/semantics/closedAccess")
# The technical-information description lists at most this many scientific metadata
# entries: DataCite records travel through OAI-PMH and the DataCite index, where a
# 10,000-line description would be noise. Every entry stays in the JSON-LD and the API.
MAX_SCIENTIFIC_ENTRIES = 40

# Derived types DataCite's API reports next to resourceTypeGeneral (``types``), for the
# general types a facility publishes; the rest fall back to DataCite's own defaults.
_DERIVED_TYPES = {
    "Dataset": {"schemaOrg": "Dataset", "citeproc": "dataset", "bibtex": "misc", "ris": "DATA"},
    "Software": {
        "schemaOrg": "SoftwareSourceCode",
        "citeproc": "article",
        "bibtex": "misc",
        "ris": "COMP",
    },
    "Collection": {
        "schemaOrg": "Collection",
        "citeproc": "article",
        "bibtex": "misc",
        "ris": "GEN",
    },
    "Image": {"schemaOrg": "ImageObject", "citeproc": "graphic", "bibtex": "misc", "ris": "FIGURE"},
}
_DEFAULT_DERIVED = {
    "schemaOrg": "CreativeWork",
    "citeproc": "article",
    "bibtex": "misc",
    "ris": "GEN",
}


# --------------------------------------------------------------------------- helpers
def _date(value: datetime.datetime | datetime.date | None) -> str:
    """A calendar date (RKMS-ISO8601 / W3CDTF, DataCite §8)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.astimezone(datetime.UTC).date()
    return value.isoformat()


def _human_size(size: int) -> str:
    """'2.4 GB' (decimal units, as DataCite's examples write sizes: §13)."""
    value = float(size)
    for unit in ("B", "kB", "MB", "GB", "TB", "PB"):
        if value < 1000 or unit == "PB":
            return f"{int(value)} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{size} B"  # unreachable


def publication_year(snapshot: DatasetSnapshot) -> int:
    """§5: the year of publication; before publication, the year the record was created."""
    if snapshot.publication_year:
        return snapshot.publication_year
    if snapshot.published_at:
        return snapshot.published_at.year
    if snapshot.created_at:
        return snapshot.created_at.year
    return datetime.date.today().year


def _agent(a: AgentSnapshot) -> dict[str, Any]:
    """§2 creator / §7 contributor: name, name parts, ORCID and ROR-identified affiliation."""
    person = a.name_type == "Personal"
    data: dict[str, Any] = {
        "name": a.name or UNAVAILABLE,
        "nameType": a.name_type or "Personal",
    }
    if person and a.given_name:
        data["givenName"] = a.given_name
    if person and a.family_name:
        data["familyName"] = a.family_name
    data["nameIdentifiers"] = (
        [
            {
                "nameIdentifier": a.orcid_url,
                "nameIdentifierScheme": "ORCID",
                "schemeUri": ORCID_SCHEME_URI,
            }
        ]
        if a.orcid and person
        else []
    )
    affiliation = []
    if a.affiliation:
        entry = {"name": a.affiliation}
        if a.affiliation_ror:
            entry.update(
                affiliationIdentifier=a.affiliation_ror,
                affiliationIdentifierScheme="ROR",
                schemeUri=ROR_SCHEME_URI,
            )
        affiliation.append(entry)
    data["affiliation"] = affiliation
    if a.contributor_type:
        data["contributorType"] = a.contributor_type
    return data


def _subjects(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§6: free keywords, PaNET techniques (scheme + valueURI), then classified subjects."""
    subjects: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    def add(entry: dict[str, Any]) -> None:
        key = (entry["subject"].casefold(), entry.get("subjectScheme", ""))
        if key not in seen:
            seen.add(key)
            subjects.append(entry)

    for keyword in s.keywords:
        if keyword.strip():
            add({"subject": keyword.strip()})
    for t in s.techniques:
        add(
            {
                "subject": t.label,
                "subjectScheme": PANET_SCHEME,
                "schemeUri": PANET_SCHEME_URI,
                "valueUri": t.iri,
                "classificationCode": t.panet_id,
            }
        )
    for item in s.subjects:
        text = str(item.get("subject", "")).strip()
        if not text:
            continue
        entry: dict[str, Any] = {"subject": text}
        for key, target in (
            ("subjectScheme", "subjectScheme"),
            ("schemeUri", "schemeUri"),
            ("schemeURI", "schemeUri"),
            ("valueUri", "valueUri"),
            ("valueURI", "valueUri"),
            ("classificationCode", "classificationCode"),
            ("lang", "lang"),
        ):
            if item.get(key):
                entry[target] = str(item[key])
        add(entry)
    return subjects


def _dates(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§8: Issued, Collected (start/end), Available (end of embargo), Updated, Withdrawn, others."""
    dates: list[dict[str, Any]] = []
    if s.published_at:
        dates.append({"date": _date(s.published_at), "dateType": "Issued"})
    if s.collection_start or s.collection_end:
        start = _date(s.collection_start) or "unknown"
        end = _date(s.collection_end) or "unknown"
        dates.append({"date": f"{start}/{end}", "dateType": "Collected"})
    if s.embargo_until:
        # §8.2 "Available": the end of an embargo period.
        dates.append(
            {
                "date": _date(s.embargo_until),
                "dateType": "Available",
                "dateInformation": "End of the embargo on the data files",
            }
        )
    for item in s.dates:
        entry = {"date": str(item.get("date", "")).strip(), "dateType": item.get("dateType", "")}
        if item.get("dateInformation"):
            entry["dateInformation"] = str(item["dateInformation"])
        if entry["date"] and entry["dateType"] and entry not in dates:
            dates.append(entry)
    if s.updated_at and s.published_at:
        dates.append({"date": _date(s.updated_at), "dateType": "Updated"})
    if s.withdrawn_at:
        entry = {"date": _date(s.withdrawn_at), "dateType": "Withdrawn"}
        if s.withdrawal_reason:
            entry["dateInformation"] = s.withdrawal_reason
        dates.append(entry)
    return dates


def _related_identifiers(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§12, plus the instrument that collected the data (4.5+ ``IsCollectedBy``, PIDINST)."""
    related = []
    given = {(r.identifier.lower(), r.relation_type) for r in s.related_identifiers}
    # The relations between versions come from the snapshot (one derivation for every
    # standard); one the owners typed in already is not repeated.
    versions = [
        r for r in s.version_relations if (r.identifier.lower(), r.relation_type) not in given
    ]
    for r in (*s.related_identifiers, *versions):
        entry = {
            "relatedIdentifier": r.identifier,
            "relatedIdentifierType": r.identifier_type,
            "relationType": r.relation_type,
        }
        if r.resource_type_general:
            entry["resourceTypeGeneral"] = r.resource_type_general
        related.append(entry)
    inst = s.instrument
    if inst and (inst.pid or inst.url):
        pid = inst.pid.strip()
        if pid.lower().startswith(("10.", "https://doi.org/", "doi:")):
            identifier = pid.lower().removeprefix("doi:").removeprefix("https://doi.org/")
            kind = "DOI"
        elif pid:
            identifier, kind = pid, ("URL" if pid.startswith("http") else "Handle")
        else:
            identifier, kind = inst.url, "URL"
        related.append(
            {
                "relatedIdentifier": identifier,
                "relatedIdentifierType": kind,
                "relationType": "IsCollectedBy",
                "resourceTypeGeneral": "Instrument",
            }
        )
    return related


def _rights(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§16: the licence with its SPDX identifier, then the access right (OpenAIRE)."""
    rights = []
    if s.licence:
        rights.append(
            {
                "rights": s.licence.name,
                "rightsUri": s.licence.url,
                "rightsIdentifier": s.licence.spdx,
                "rightsIdentifierScheme": "SPDX",
                "schemeUri": SPDX_SCHEME_URI,
                "lang": "en",
            }
        )
    if s.status == "withdrawn":
        access = CLOSED_ACCESS
    elif s.embargo_active or (
        s.embargo_active is None
        and s.embargo_until
        and (s.published_at is None or s.embargo_until > s.published_at.date())
    ):
        # Whether the embargo is still running is a matter of today's date, which the
        # snapshot knows (embargo_active); without it the Available date says when it ends.
        # At release (catalogue.services.embargo) the record becomes Open Access.
        access = EMBARGOED_ACCESS
    else:
        access = OPEN_ACCESS
    rights.append({"rights": access[0], "rightsUri": access[1], "lang": "en"})
    return rights


def _technical_info(s: DatasetSnapshot) -> str:
    """§17 TechnicalInfo: the facility context DataCite has no property for, one item a line."""
    lines = []
    if s.facility:
        lines.append(f"Facility: {s.facility.name}")
    if s.instrument:
        lines.append(f"Instrument: {s.instrument.name}")
    if s.techniques:
        lines.append("Technique: " + "; ".join(t.label for t in s.techniques))
    if s.proposal:
        lines.append(f"Proposal: {s.proposal.proposal_id} ({s.proposal.title})")
    if s.beamtime:
        period = ""
        if s.beamtime.start and s.beamtime.end:
            period = f" ({_date(s.beamtime.start)}/{_date(s.beamtime.end)})"
        lines.append(f"Beamtime: {s.beamtime.beamtime_id}{period}")
    if s.sample_name:
        lines.append(f"Sample: {s.sample_name}")
    if s.sample_description:
        lines.append(f"Sample description: {s.sample_description}")
    entries = s.scientific_entries
    for e in entries[:MAX_SCIENTIFIC_ENTRIES]:
        value = e.value if not isinstance(e.value, list | dict) else str(e.value)
        lines.append(f"{e.key}: {value}{' ' + e.unit if e.unit else ''}")
    if len(entries) > MAX_SCIENTIFIC_ENTRIES:
        lines.append(
            f"… and {len(entries) - MAX_SCIENTIFIC_ENTRIES} more scientific metadata entries"
        )
    return "\n".join(lines)


def _descriptions(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§17: the abstract, further descriptions, and the facility context as TechnicalInfo."""
    lang = s.language or "en"
    descriptions = []
    if s.description.strip():
        descriptions.append(
            {"description": s.description.strip(), "descriptionType": "Abstract", "lang": lang}
        )
    for d in s.additional_descriptions:
        text = str(d.get("description", "")).strip()
        if text and d.get("descriptionType"):
            entry = {"description": text, "descriptionType": d["descriptionType"]}
            entry["lang"] = d.get("lang") or lang
            descriptions.append(entry)
    technical = _technical_info(s)
    if technical:
        descriptions.append(
            {"description": technical, "descriptionType": "TechnicalInfo", "lang": "en"}
        )
    return descriptions


def _funding(s: DatasetSnapshot) -> list[dict[str, Any]]:
    """§19 fundingReference."""
    funding = []
    for f in s.funding_references:
        entry: dict[str, Any] = {"funderName": f.funder_name}
        if f.funder_identifier:
            entry["funderIdentifier"] = f.funder_identifier
            entry["funderIdentifierType"] = f.funder_identifier_type or "Other"
        if f.award_number:
            entry["awardNumber"] = f.award_number
        if f.award_uri:
            entry["awardUri"] = f.award_uri
        if f.award_title:
            entry["awardTitle"] = f.award_title
        funding.append(entry)
    return funding


def _properties(s: DatasetSnapshot) -> dict[str, Any]:
    """Every DataCite property of the record, in DataCite REST API (camelCase JSON) form."""
    lang = s.language or "en"
    creators = [_agent(a) for a in s.creators] or [
        {"name": UNAVAILABLE, "nameIdentifiers": [], "affiliation": []}
    ]
    titles = [{"title": s.title.strip() or UNAVAILABLE, "lang": lang}]
    for t in s.additional_titles:
        text = str(t.get("title", "")).strip()
        if text:
            entry = {"title": text}
            if t.get("titleType"):
                entry["titleType"] = t["titleType"]
            entry["lang"] = t.get("lang") or lang
            titles.append(entry)
    publisher: dict[str, Any] = {"name": s.publisher.strip() or UNAVAILABLE, "lang": lang}
    if s.publisher_identifier:
        publisher.update(
            publisherIdentifier=s.publisher_identifier,
            publisherIdentifierScheme="ROR",
            schemeUri=ROR_SCHEME_URI,
        )
    # DataCite 4.6 §11: the portal's own UUID, then the identifiers other systems gave the
    # record (a SciCat pid, for example).
    alternate = [{"alternateIdentifier": str(s.pid), "alternateIdentifierType": "UUID"}]
    alternate += [
        {"alternateIdentifier": a.identifier, "alternateIdentifierType": a.type}
        for a in s.alternate_identifiers
    ]
    sizes = []
    if s.file_count:
        sizes.append(f"{s.file_count} file{'s' if s.file_count != 1 else ''}")
        sizes.append(_human_size(s.total_size))
        sizes.append(f"{s.total_size} bytes")
    return {
        "identifier": s.doi or TO_BE_ASSIGNED,
        "creators": creators,
        "titles": titles,
        "publisher": publisher,
        "publicationYear": publication_year(s),
        "types": {
            "resourceTypeGeneral": s.resource_type_general or "Dataset",
            "resourceType": s.resource_type or "",
        },
        "subjects": _subjects(s),
        "contributors": [_agent(a) for a in s.contributors],
        "dates": _dates(s),
        "language": s.language or None,
        "alternateIdentifiers": alternate,
        "relatedIdentifiers": _related_identifiers(s),
        "sizes": sizes,
        "formats": list(s.media_types),
        "version": s.version_label or None,
        "rightsList": _rights(s),
        "descriptions": _descriptions(s),
        "fundingReferences": _funding(s),
    }


# --------------------------------------------------------------------------- XML
# XML 1.0 forbids these characters (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF);
# lxml refuses them, so one stray control character pasted into a description would break
# every consumer (DOI registration, exports, a whole OAI-PMH harvest). Shown as U+FFFD.
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(value: str) -> str:
    if value.isascii() and value.isprintable():
        return value  # the common case, checked in C: nothing to replace
    return _XML_FORBIDDEN.sub("\ufffd", value)


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, f"{{{NAMESPACE}}}{tag}")
    for key, value in attrs.items():
        if value not in (None, ""):
            element.set(XML_LANG if key == "lang" else key, _xml_text(str(value)))
    if text is not None:
        element.text = _xml_text(text)
    return element


def _xml_agent(parent: etree._Element, tag: str, agent: dict[str, Any]) -> None:
    attrs = {"contributorType": agent["contributorType"]} if tag == "contributor" else {}
    node = _el(parent, tag, **attrs)
    _el(node, f"{tag}Name", agent["name"], nameType=agent.get("nameType", ""))
    if agent.get("givenName"):
        _el(node, "givenName", agent["givenName"])
    if agent.get("familyName"):
        _el(node, "familyName", agent["familyName"])
    for ident in agent.get("nameIdentifiers", []):
        _el(
            node,
            "nameIdentifier",
            ident["nameIdentifier"],
            nameIdentifierScheme=ident["nameIdentifierScheme"],
            schemeURI=ident.get("schemeUri", ""),
        )
    for aff in agent.get("affiliation", []):
        _el(
            node,
            "affiliation",
            aff["name"],
            affiliationIdentifier=aff.get("affiliationIdentifier", ""),
            affiliationIdentifierScheme=aff.get("affiliationIdentifierScheme", ""),
            schemeURI=aff.get("schemeUri", ""),
        )


def _description_content(element: etree._Element, text: str) -> None:
    """Line breaks as ``<br/>``, the only markup §17 allows in a description."""
    lines = _xml_text(text).split("\n")
    element.text = lines[0]
    for line in lines[1:]:
        br = etree.SubElement(element, f"{{{NAMESPACE}}}br")
        br.tail = line


def datacite_resource(snapshot: DatasetSnapshot) -> etree._Element:
    """The DataCite 4.6 ``<resource>`` element of this dataset."""
    p = _properties(snapshot)
    root = etree.Element(f"{{{NAMESPACE}}}resource", nsmap={None: NAMESPACE, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)

    _el(root, "identifier", p["identifier"], identifierType="DOI")
    creators = _el(root, "creators")
    for agent in p["creators"]:
        _xml_agent(creators, "creator", agent)
    titles = _el(root, "titles")
    for t in p["titles"]:
        _el(titles, "title", t["title"], titleType=t.get("titleType", ""), lang=t.get("lang", ""))
    pub = p["publisher"]
    _el(
        root,
        "publisher",
        pub["name"],
        publisherIdentifier=pub.get("publisherIdentifier", ""),
        publisherIdentifierScheme=pub.get("publisherIdentifierScheme", ""),
        schemeURI=pub.get("schemeUri", ""),
        lang=pub.get("lang", ""),
    )
    _el(root, "publicationYear", str(p["publicationYear"]))
    _el(
        root,
        "resourceType",
        p["types"]["resourceType"],
        resourceTypeGeneral=p["types"]["resourceTypeGeneral"],
    )
    if p["subjects"]:
        subjects = _el(root, "subjects")
        for sub in p["subjects"]:
            _el(
                subjects,
                "subject",
                sub["subject"],
                subjectScheme=sub.get("subjectScheme", ""),
                schemeURI=sub.get("schemeUri", ""),
                valueURI=sub.get("valueUri", ""),
                classificationCode=sub.get("classificationCode", ""),
                lang=sub.get("lang", ""),
            )
    if p["contributors"]:
        contributors = _el(root, "contributors")
        for agent in p["contributors"]:
            _xml_agent(contributors, "contributor", agent)
    if p["dates"]:
        dates = _el(root, "dates")
        for d in p["dates"]:
            _el(
                dates,
                "date",
                d["date"],
                dateType=d["dateType"],
                dateInformation=d.get("dateInformation", ""),
            )
    if p["language"]:
        _el(root, "language", p["language"])
    alternates = _el(root, "alternateIdentifiers")
    for a in p["alternateIdentifiers"]:
        _el(
            alternates,
            "alternateIdentifier",
            a["alternateIdentifier"],
            alternateIdentifierType=a["alternateIdentifierType"],
        )
    if p["relatedIdentifiers"]:
        related = _el(root, "relatedIdentifiers")
        for r in p["relatedIdentifiers"]:
            _el(
                related,
                "relatedIdentifier",
                r["relatedIdentifier"],
                relatedIdentifierType=r["relatedIdentifierType"],
                relationType=r["relationType"],
                resourceTypeGeneral=r.get("resourceTypeGeneral", ""),
            )
    if p["sizes"]:
        sizes = _el(root, "sizes")
        for size in p["sizes"]:
            _el(sizes, "size", size)
    if p["formats"]:
        formats = _el(root, "formats")
        for fmt in p["formats"]:
            _el(formats, "format", fmt)
    if p["version"]:
        _el(root, "version", p["version"])
    rights_list = _el(root, "rightsList")
    for r in p["rightsList"]:
        _el(
            rights_list,
            "rights",
            r["rights"],
            rightsURI=r.get("rightsUri", ""),
            rightsIdentifier=r.get("rightsIdentifier", ""),
            rightsIdentifierScheme=r.get("rightsIdentifierScheme", ""),
            schemeURI=r.get("schemeUri", ""),
            lang=r.get("lang", ""),
        )
    if p["descriptions"]:
        descriptions = _el(root, "descriptions")
        for d in p["descriptions"]:
            node = _el(
                descriptions, "description", descriptionType=d["descriptionType"], lang=d["lang"]
            )
            _description_content(node, d["description"])
    if p["fundingReferences"]:
        funding = _el(root, "fundingReferences")
        for f in p["fundingReferences"]:
            node = _el(funding, "fundingReference")
            _el(node, "funderName", f["funderName"])
            if f.get("funderIdentifier"):
                _el(
                    node,
                    "funderIdentifier",
                    f["funderIdentifier"],
                    funderIdentifierType=f["funderIdentifierType"],
                    # XML only: DataCite's JSON has no schemeUri for funder identifiers.
                    schemeURI=FUNDER_SCHEME_URIS.get(f["funderIdentifierType"], ""),
                )
            if f.get("awardNumber"):
                _el(node, "awardNumber", f["awardNumber"], awardURI=f.get("awardUri", ""))
            if f.get("awardTitle"):
                _el(node, "awardTitle", f["awardTitle"])
    return root


def datacite_xml(snapshot: DatasetSnapshot) -> bytes:
    """The DataCite 4.6 XML document, UTF-8, with an XML declaration."""
    body = etree.tostring(datacite_resource(snapshot), encoding="UTF-8", pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body


# --------------------------------------------------------------------------- JSON
def datacite_attributes(snapshot: DatasetSnapshot, *, url: str | None = None) -> dict[str, Any]:
    """The DataCite REST API ``data.attributes`` of this dataset.

    The shape follows DataCite's API (lupo ``openapi.yaml``, ``DoiPropertiesMetadata``):
    ``publisher`` as an object (4.5+), ``publicationYear`` as an integer, ``identifiers``
    for alternate identifiers, ``types`` with the derived schemaOrg/citeproc/bibtex/ris names.
    ``url`` is the landing page registered for the DOI (``/doi/<doi>``, see
    :func:`doi.identifiers.landing_url`); it defaults to that page when the dataset has a DOI.
    """
    from doi.identifiers import landing_url

    p = _properties(snapshot)
    doi = snapshot.doi
    prefix, _, suffix = (doi or "").partition("/")
    general = p["types"]["resourceTypeGeneral"]
    types = {**_DERIVED_TYPES.get(general, _DEFAULT_DERIVED), "resourceTypeGeneral": general}
    if p["types"]["resourceType"]:
        types["resourceType"] = p["types"]["resourceType"]
    if url is None:
        url = landing_url(doi) if doi else snapshot.url
    return {
        "doi": doi,
        "prefix": prefix or None,
        "suffix": suffix or None,
        "identifiers": [
            {"identifier": a["alternateIdentifier"], "identifierType": a["alternateIdentifierType"]}
            for a in p["alternateIdentifiers"]
        ],
        "alternateIdentifiers": p["alternateIdentifiers"],
        "creators": p["creators"],
        "titles": p["titles"],
        "publisher": p["publisher"],
        "publicationYear": p["publicationYear"],
        "subjects": p["subjects"],
        "contributors": p["contributors"],
        "dates": p["dates"],
        "language": p["language"],
        "types": types,
        "relatedIdentifiers": p["relatedIdentifiers"],
        "relatedItems": [],
        "sizes": p["sizes"],
        "formats": p["formats"],
        "version": p["version"],
        "rightsList": p["rightsList"],
        "descriptions": p["descriptions"],
        "geoLocations": [],
        "fundingReferences": p["fundingReferences"],
        "url": url,
        "schemaVersion": SCHEMA_VERSION,
    }
