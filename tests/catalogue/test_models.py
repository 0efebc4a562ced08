"""Validation of the model: identifiers, scientific metadata, DataCite vocabularies, paths."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from catalogue import vocabularies as voc
from catalogue.identifiers import normalize_doi, normalize_orcid, normalize_ror
from catalogue.models import Beamtime, Creator, DataFile, Dataset, Technique
from catalogue.scimeta import scientific_entries, validate_scientific_metadata
from catalogue.storage import StoragePathError, check_relative_path
from tests.factories import BeamtimeFactory, DatasetFactory, InstrumentFactory

SCHEMA_DIR = Path(__file__).resolve().parents[1] / "data" / "schemas" / "datacite-4.6" / "include"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("https://orcid.org/0000-0002-1825-0097", "0000-0002-1825-0097"),
        ("0000000218250097", "0000-0002-1825-0097"),
        ("0000-0001-5109-3700", "0000-0001-5109-3700"),
        ("0000-0002-1694-233x", "0000-0002-1694-233X"),
    ],
)
def test_orcid_normalised(raw, stored):
    assert normalize_orcid(raw) == stored


@pytest.mark.parametrize("bad", ["0000-0002-1825-0098", "1234", "orcid.org/abc"])
def test_orcid_rejected_with_reason(bad):
    with pytest.raises(ValueError, match="ORCID"):
        normalize_orcid(bad)


def test_ror_and_doi_normalised():
    assert normalize_ror("01js2sh04") == "https://ror.org/01js2sh04"
    assert normalize_ror("https://ror.org/02550n020") == "https://ror.org/02550n020"
    with pytest.raises(ValueError, match="check digits"):
        normalize_ror("01js2sh05")
    prefix = settings.DATACITE_PREFIX
    assert normalize_doi(f"https://doi.org/{prefix}/ABC.1") == f"{prefix}/abc.1"
    assert normalize_doi("doi:10.1000/X") == "10.1000/x"
    with pytest.raises(ValueError, match="not a DOI"):
        normalize_doi("11.1/x")


def test_scientific_metadata_shapes_flatten_to_dotted_keys():
    meta = {
        "temperature": {"value": 300, "unit": "K"},
        "energy": {"v": 9, "u": "keV"},
        "sample": {"holder": {"depth": {"value": 2.5, "unit": "mm"}}, "name": "Si"},
        "scicat": {"value": 1, "unit": "m", "valueSI": 1, "unitSI": "m"},
        "flag": True,
    }
    entries = [(e.key, e.value, e.unit) for e in scientific_entries(meta)]
    assert entries == [
        ("temperature", 300, "K"),
        ("energy", 9, "keV"),
        ("sample.holder.depth", 2.5, "mm"),
        ("sample.name", "Si", ""),
        ("scicat", 1, "m"),
        ("flag", True, ""),
    ]
    numbers = {e.key: e.number for e in scientific_entries(meta)}
    assert numbers["flag"] is None and numbers["energy"] == 9.0


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ([1, 2], "JSON object"),
        ({"a.b": 1}, "may not contain"),
        ({"$where": 1}, "may not contain"),
        ({"t": {"value": 1, "unit": 5}}, "unit must be a string"),
        ({"t": {"value": {"x": 1}}}, "cannot be an object"),
        ({"": 1}, "non-empty"),
    ],
)
def test_scientific_metadata_rejected_with_named_problem(meta, message):
    with pytest.raises(ValidationError, match=message):
        validate_scientific_metadata(meta)


def test_scientific_metadata_depth_is_bounded():
    deep: dict = {}
    node = deep
    for _ in range(12):
        node["x"] = {}
        node = node["x"]
    with pytest.raises(ValidationError, match="deeper"):
        validate_scientific_metadata(deep)


@pytest.mark.parametrize(
    "path", ["", "../etc/passwd", "/abs", "a\\b", "a/../b", "a//b", "nul\x00", "./a", "a/"]
)
def test_unsafe_relative_paths_are_refused(path):
    with pytest.raises(StoragePathError):
        check_relative_path(path)


def _xsd_enumeration(name: str) -> list[str]:
    text = (SCHEMA_DIR / f"datacite-{name}-v4.xsd").read_text()
    return re.findall(r'enumeration value="([^"]*)"', text)


@pytest.mark.parametrize(
    ("xsd", "ours"),
    [
        ("resourceType", voc.RESOURCE_TYPES_GENERAL),
        ("contributorType", voc.CONTRIBUTOR_TYPES),
        ("dateType", voc.DATE_TYPES),
        ("descriptionType", voc.DESCRIPTION_TYPES),
        ("funderIdentifierType", voc.FUNDER_IDENTIFIER_TYPES),
        ("nameType", voc.NAME_TYPES),
        ("relatedIdentifierType", voc.RELATED_IDENTIFIER_TYPES),
        ("relationType", voc.RELATION_TYPES),
        ("titleType", voc.TITLE_TYPES),
    ],
)
def test_vocabularies_equal_the_datacite_46_schema(xsd, ours):
    assert sorted(_xsd_enumeration(xsd)) == sorted(ours)


@pytest.mark.django_db
def test_panet_is_loaded_by_migration():
    assert Technique.objects.count() >= 500
    saxs = Technique.objects.get(iri="http://purl.org/pan-science/PaNET/PaNET01188")
    assert saxs.label == "small angle x-ray scattering"
    assert saxs.broader.exists()


@pytest.mark.django_db
def test_dataset_clean_checks_context_and_json_lists():
    ds = DatasetFactory()
    ds.instrument = InstrumentFactory()  # of another facility
    ds.dates = [{"date": "2024-01-01", "dateType": "Whenever"}]
    ds.keywords = ["ok", ""]
    with pytest.raises(ValidationError) as err:
        ds.full_clean()
    assert set(err.value.message_dict) >= {"instrument", "dates", "keywords"}


@pytest.mark.django_db
def test_doi_is_unique_case_insensitively():
    DatasetFactory(doi=f"{settings.DATACITE_PREFIX}/ABC")
    with pytest.raises(IntegrityError), transaction.atomic():
        DatasetFactory(doi=f"{settings.DATACITE_PREFIX}/abc")


@pytest.mark.django_db
def test_beamtime_cannot_end_before_it_starts():
    bt = BeamtimeFactory()
    bt.end = bt.start.replace(year=2000)
    with pytest.raises(ValidationError, match="cannot end before"):
        bt.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Beamtime.objects.filter(pk=bt.pk).update(end=bt.end)


@pytest.mark.django_db
def test_creator_name_from_family_and_given():
    ds = DatasetFactory(creators=[])
    c = Creator(dataset=ds, family_name="Curie", given_name="Marie", orcid="0000-0002-1825-0097")
    c.full_clean()
    assert c.name == "Curie, Marie"
    org = Creator(dataset=ds, name="ESRF", name_type="Organizational", orcid="0000-0002-1825-0097")
    with pytest.raises(ValidationError, match="Organisations"):
        org.full_clean()


@pytest.mark.django_db
def test_file_paths_unique_per_dataset_and_validated():
    ds = DatasetFactory()
    DataFile.objects.create(dataset=ds, path="a.h5", size=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataFile.objects.create(dataset=ds, path="a.h5", size=2)
    with pytest.raises(ValidationError, match="path"):
        DataFile(dataset=ds, path="../x", size=1).full_clean()


def test_dataset_has_all_status_choices():
    assert [s for s, _ in Dataset._meta.get_field("status").choices] == [
        "draft", "submitted", "in_review", "changes_requested", "approved", "published",
        "withdrawn", "declined",
    ]  # fmt: skip


@pytest.mark.django_db
def test_dataset_url_follows_the_script_prefix():
    from django.urls import reverse, set_script_prefix

    ds = DatasetFactory()
    assert ds.get_absolute_url() == reverse("catalogue:dataset-detail", kwargs={"pid": ds.pid})
    set_script_prefix("/portal/")
    try:
        assert ds.get_absolute_url() == f"/portal/datasets/{ds.pid}/"
    finally:
        set_script_prefix("/")
