"""Offline validation of OAI-PMH responses against the official schemas in tests/data/schemas.

The upstream files are unchanged; their two remote imports (the DCMI simple DC schema that
oai_dc.xsd imports, and the W3C xml: namespace schema that it imports in turn) are resolved
to the local copies, so nothing is fetched.
"""

from functools import cache
from pathlib import Path

from lxml import etree

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "schemas"
LOCAL_COPIES = {
    "http://dublincore.org/schemas/xmls/simpledc20021212.xsd": SCHEMAS
    / "dcmi"
    / "simpledc20021212.xsd",
    "http://www.w3.org/2001/03/xml.xsd": SCHEMAS / "datacite-4.6" / "include" / "xml.xsd",
}


class _LocalCopies(etree.Resolver):
    def resolve(self, url, pubid, context):
        local = LOCAL_COPIES.get(url)
        if local is not None:
            return self.resolve_filename(str(local), context)
        if url and url.startswith(("http://", "https://")):
            raise AssertionError(f"schema import {url} has no local copy (offline validation)")
        return None


@cache
def oai_schema() -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalCopies())
    document = etree.parse(str(SCHEMAS / "oai-pmh-with-payloads.xsd"), parser)
    return etree.XMLSchema(document)


def validate(xml: bytes) -> etree._Element:
    """Parse a response and validate it; fail with the schema's messages if it is invalid."""
    root = etree.fromstring(xml)
    schema = oai_schema()
    if not schema.validate(root):
        problems = "\n".join(str(e) for e in schema.error_log)
        raise AssertionError(f"invalid against the official schemas:\n{problems}")
    return root


OAI = "{http://www.openarchives.org/OAI/2.0/}"
NS = {
    "oai": "http://www.openarchives.org/OAI/2.0/",
    "dc": "http://purl.org/dc/elements/1.1/",
    "oai_dc": "http://www.openarchives.org/OAI/2.0/oai_dc/",
    "oai_datacite": "http://schema.datacite.org/oai/oai-1.1/",
    "datacite": "http://datacite.org/schema/kernel-4",
    "oai_id": "http://www.openarchives.org/OAI/2.0/oai-identifier",
}


def response_body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def oai_get(client, **params) -> etree._Element:
    """GET /oai with these arguments (from_ for from); the validated response document."""
    if "from_" in params:
        params["from"] = params.pop("from_")
    response = client.get("/oai", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    return validate(response_body(response))


def errors(root: etree._Element) -> list[str]:
    return [e.get("code") for e in root.findall(f"{OAI}error")]
