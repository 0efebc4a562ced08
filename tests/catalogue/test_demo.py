"""manage.py load_demo builds the catalogue the foundation issue asks for, idempotently."""

import io
import json

import pytest
from django.core.management import call_command

from catalogue.access import datasets_public
from catalogue.api.representation import dataset_json
from catalogue.demo import content
from catalogue.models import DataFile, Dataset, DatasetEvent, Facility, Instrument, Status
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from catalogue.storage import dataset_file_path

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def _catalogue_dump() -> str:
    records = []
    for ds in snapshot_queryset().order_by("pid"):
        data = dataset_json(dataset_snapshot(ds))
        data["dates"].pop("updated")
        files = list(DataFile.objects.filter(dataset=ds).values_list("path", "size", "checksum"))
        records.append({**data, "files": files, "published_at": str(ds.published_at)})
    return json.dumps(records, sort_keys=True, default=str)


def test_load_demo_twice_gives_the_same_catalogue():
    out = io.StringIO()
    call_command("load_demo", "--no-progress", stdout=out, stderr=io.StringIO())
    first = _catalogue_dump()
    events = DatasetEvent.objects.count()
    updated = dict(Dataset.objects.values_list("pid", "updated_at"))
    call_command("load_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert _catalogue_dump() == first
    assert DatasetEvent.objects.count() == events
    # Nothing was rewritten, so harvesters see no spurious changes.
    assert dict(Dataset.objects.values_list("pid", "updated_at")) == updated
    assert "admin / admin-demo" in out.getvalue() and "curator / curator-demo" in out.getvalue()
    assert "/review/pdr_" in out.getvalue()  # one live reviewer link (catalogue/demo/review_links)


def test_demo_catalogue_meets_the_brief():
    call_command("load_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    assert Dataset.objects.count() >= 60
    assert Facility.objects.count() >= 3
    assert Instrument.objects.count() >= 6
    assert Dataset.techniques.through.objects.values("technique").distinct().count() >= 8
    published = Dataset.objects.filter(status=Status.PUBLISHED)
    assert published.exclude(doi=None).count() >= 20
    from django.conf import settings

    assert all(
        d.startswith(settings.DATACITE_PREFIX + "/")
        for d in published.values_list("doi", flat=True)
    )
    withdrawn = Dataset.objects.filter(status=Status.WITHDRAWN)
    assert withdrawn.count() >= 2 and not withdrawn.filter(doi=None).exists()
    assert published.exclude(embargo_until=None).exists()
    for status in (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW):
        assert Dataset.objects.filter(status=status).exists()
    assert Dataset.objects.filter(file_count__gte=5000).exists()
    # Real HDF5/NeXus sample files, under their own names, in >= 6 published datasets.
    # (The raw data under raw/ are declared with their sizes, not on this disk.)
    real_names = {name for _, names, _ in content.REAL_FILES for name in names}
    hdf5 = DataFile.objects.filter(
        dataset__in=published, media_type="application/x-hdf5", path__in=real_names
    )
    assert hdf5.values("dataset").distinct().count() >= 6
    for f in hdf5:
        real = dataset_file_path(f.dataset.storage_folder, f.path)
        assert real.read_bytes()[:8] == b"\x89HDF\r\n\x1a\n"
    # Scientific metadata mixes compatible units across datasets.
    units = {e.unit for ds in datasets_public() for e in dataset_snapshot(ds).scientific_entries}
    assert {"K", "degC", "eV", "keV", "mm", "m"} <= units
    # One record with two published versions, made by alice's group (README "Versions").
    v2 = Dataset.objects.get(version_number=2)
    v1 = v2.based_on
    assert v1.version_number == 1 and v1.superseded and not v2.superseded
    assert v2.status == v1.status == Status.PUBLISHED and v1.concept.doi
    assert v2.file_count == v1.file_count
    # Every creator has an ORCID (valid by construction) and a ROR affiliation.
    for ds in published:
        for c in ds.creators.all():
            c.full_clean()
            assert c.orcid and c.affiliation_ror
