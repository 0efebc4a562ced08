"""The offline schema set judges real responses correctly before it judges ours."""

from pathlib import Path

import pytest
from lxml import etree

from tests.oaipmh.schemas import validate

EXAMPLES = sorted((Path(__file__).resolve().parents[1] / "data" / "oaipmh").glob("*/*.xml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_reference_responses_are_valid(path):
    validate(path.read_bytes())


def test_a_broken_payload_is_caught():
    good = (
        Path(EXAMPLES[0]).parent.parent / "viringo" / "oai_getrecord_oaidatacite.xml"
    ).read_bytes()
    validate(good)
    # The payload is validated too (processContents="strict"): a DataCite resource without
    # its mandatory publisher must fail.
    root = etree.fromstring(good)
    publisher = root.find(".//{http://datacite.org/schema/kernel-4}publisher")
    publisher.getparent().remove(publisher)
    with pytest.raises(AssertionError, match=r"publisher|Missing child"):
        validate(etree.tostring(root))
    bad_header = good.replace(b"<datestamp>2018-03-17T06:33:00Z", b"<datestamp>17 March 2018")
    with pytest.raises(AssertionError):
        validate(bad_header)
