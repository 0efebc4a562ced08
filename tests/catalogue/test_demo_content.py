"""The demo catalogue reads true (issue 16 §6): consistent titles, samples and proposals, one
name per facility, a facility's data volumes; and it keeps what other features show (a public
dataset with files under embargo, the 5,044-file dataset with its folders).

The plan (what each dataset measures) is checked without a database; the loaded catalogue once,
through ``manage.py load_demo``.
"""

import io
import statistics
from collections import Counter

import pytest
from django.core.management import call_command
from django.utils import timezone

from catalogue import folders
from catalogue.demo import content
from catalogue.demo.builder import DemoBuilder, _sample_pool
from catalogue.models import Dataset, Status
from catalogue.storage import dataset_file_path


def _plan() -> list[dict]:
    return DemoBuilder().plan()


def test_no_two_planned_records_share_a_title():
    titles = Counter(spec["title"] for spec in _plan())
    assert len(titles) == 64
    assert [t for t, n in titles.items() if n > 1] == []


def test_every_dataset_measures_a_sample_of_its_own_proposal():
    for spec in _plan():
        inst, sample = spec["instrument"], spec["sample"]
        own = _sample_pool(inst, spec["round"] % 2)
        other = _sample_pool(inst, 1 - spec["round"] % 2)
        assert sample in own, (spec["title"], own)
        assert spec["variant"] in inst["samples"][sample]  # a condition this sample can have
        assert sample in spec["title"]
        assert not any(s in spec["title"] for s in other if s != sample), spec["title"]


def test_each_proposal_is_one_topic_and_the_known_mix_is_gone():
    in5 = next(i for i in content.INSTRUMENTS if i["code"] == "ill-in5")
    for p in (0, 1):
        pool = _sample_pool(in5, p)
        # The mix the issue names: hydrogen in palladium under water in MCM-41.
        assert not ("water confined in MCM-41" in pool and "hydrogen in palladium" in pool)
    assert all(len(i["proposals"]) == 2 for i in content.INSTRUMENTS)
    assert len({t for i in content.INSTRUMENTS for t in i["proposals"]}) == 22


@pytest.mark.django_db
@pytest.mark.slow
def test_the_loaded_demo_reads_true(settings, tmp_path):
    settings.STORAGE_ROOT = tmp_path
    call_command("load_demo", "--no-progress", stdout=io.StringIO(), stderr=io.StringIO())
    everything = list(
        Dataset.objects.select_related("facility", "beamtime__proposal").prefetch_related(
            "contributors"
        )
    )
    # No title twice, let alone three times, among the latest versions of every record (a
    # record's versions share its title; the other demo parts add records of their own:
    # conversations in every state, a schema check, a versioned record).
    latest = [d.title for d in everything if not d.superseded]
    assert len(set(latest)) == len(latest), Counter(latest).most_common(3)
    # The builder's planned catalogue (latest versions) is what the rest checks.
    planned = {spec["title"] for spec in DemoBuilder().plan()}
    datasets = [d for d in everything if d.title in planned and not d.superseded]
    assert len(datasets) == 64
    for d in datasets:
        proposal = d.beamtime.proposal
        # The proposal lists the samples its datasets measure; the title names this one.
        assert d.sample_name in proposal.abstract, (d.title, proposal.abstract)
        assert d.sample_name in d.title
        # One name per facility: the facet, the publisher, the hosting institution.
        assert d.publisher == d.facility.name
        hosts = [c.name for c in d.contributors.all() if c.contributor_type == "HostingInstitution"]
        assert hosts == [d.facility.name]
        assert f"({d.facility.short_name})" in d.description
    # ... and the same names on the proposals' and the abstracts' side of every facility.
    names = {(d.facility.code, d.facility.name, d.facility.short_name) for d in datasets}
    assert len(names) == len(content.FACILITIES)

    # A facility's volumes: raw data declared at the detectors' sizes (not on this disk).
    published = [d for d in datasets if d.status == Status.PUBLISHED]
    assert statistics.median(d.total_size for d in published) > 1_000_000_000
    mx = next(d for d in published if d.instrument.code == "petra3-p11")
    raw = mx.files.filter(path__startswith="raw/")
    assert raw.exists() and not dataset_file_path(mx.storage_folder, raw[0].path).exists()
    assert dataset_file_path(mx.storage_folder, "README.txt").exists()

    # Kept: a public dataset whose files are under embargo ...
    today = timezone.localdate()
    embargoed = [d for d in published if d.embargo_until and d.embargo_until > today]
    assert any(d.file_count > 0 for d in embargoed)
    # ... and the 5,044-file dataset with its folders.
    [big] = [d for d in datasets if d.file_count >= 5000]
    assert big.file_count == 5044 and big.status == Status.PUBLISHED
    tops = {f.path: f.files for f in folders.folders_under(dataset=big, prefix="")}
    assert tops["projections/"] == content.BIG_DATASET_FILES
    assert tops["flats/"] == 20 and tops["darks/"] == 20
