"""The one writer of dataset records: shape, validation by JSON path, immutability, audit."""

import pytest
from django.db import transaction

from catalogue import signals
from catalogue.access import DatasetForbidden
from catalogue.api.representation import dataset_editor_json, dataset_json
from catalogue.models import Creator, Dataset, DatasetEvent, Status
from catalogue.services.datasets import dataset_create, dataset_delete_draft, dataset_update
from catalogue.services.errors import DatasetInputError
from catalogue.snapshot import dataset_snapshot, snapshot_queryset
from tests.factories import (
    BeamtimeFactory,
    CuratorFactory,
    GroupFactory,
    InstrumentFactory,
    UserFactory,
    make_dataset,
    technique,
)

pytestmark = pytest.mark.django_db

VALID_ORCID = "0000-0002-1825-0097"
VALID_ROR = "https://ror.org/01js2sh04"


@pytest.fixture
def owner():
    user = UserFactory()
    user.groups.add(GroupFactory(name="p-1234"))
    return user


@pytest.fixture
def curator():
    return CuratorFactory()


def full_data(instrument, **extra):
    sax = technique()
    data = {
        "title": "Ptychography of a battery cathode",
        "description": "Operando scans.",
        "creators": [
            {
                "name": "Carberry, Josiah",
                "name_type": "Personal",
                "given_name": "Josiah",
                "family_name": "Carberry",
                "orcid": f"https://orcid.org/{VALID_ORCID}",
                "affiliation": {"name": "DESY", "ror": VALID_ROR},
            }
        ],
        "contributors": [
            {
                "name": "DESY",
                "name_type": "Organizational",
                "contributor_type": "HostingInstitution",
            }
        ],
        "publisher": {"name": "DESY", "ror": VALID_ROR},
        "publication_year": 2026,
        "resource_type": {"general": "Dataset", "type": "raw"},
        "license": "CC-BY-4.0",
        "keywords": ["battery"],
        "dates": {
            "collection_start": "2026-01-01T08:00:00Z",
            "collection_end": "2026-01-02T08:00:00Z",
            "embargo_until": "2027-01-01",
            "other": [{"date": "2026-01-03", "dateType": "Created"}],
        },
        "facility": {"code": instrument.facility.code},
        "instrument": instrument.code,
        "techniques": [{"iri": sax.iri}],
        "sample": {"name": "NMC811", "description": "cathode"},
        "scientific_metadata": {"energy": {"value": 12.4, "unit": "keV"}},
        "related_identifiers": [
            {
                "identifier": "https://doi.org/10.1234/ABC",
                "identifier_type": "DOI",
                "relation_type": "IsCitedBy",
            }
        ],
        "funding_references": [{"funder_name": "DFG", "award_number": "123"}],
        "alternate_identifiers": [{"identifier": "20.500.12269/abc", "type": "SciCat PID"}],
        "owner_group": "p-1234",
        "storage_folder": "beamline/2026/run1",
    }
    data.update(extra)
    return data


def get_json(ds: Dataset) -> dict:
    fresh = snapshot_queryset().get(pk=ds.pk)
    return {**dataset_json(dataset_snapshot(fresh)), **dataset_editor_json(fresh)}


def test_create_stores_everything_in_get_shape(owner):
    inst = InstrumentFactory()
    ds = dataset_create(data=full_data(inst), actor=owner)
    assert ds.status == Status.DRAFT and ds.created_by == owner
    body = get_json(ds)
    assert body["title"] == "Ptychography of a battery cathode"
    assert body["creators"][0]["orcid"] == f"https://orcid.org/{VALID_ORCID}"
    assert body["creators"][0]["affiliation"] == {"name": "DESY", "ror": VALID_ROR}
    assert body["contributors"][0]["contributor_type"] == "HostingInstitution"
    assert body["related_identifiers"][0]["identifier"] == "10.1234/abc"
    assert body["alternate_identifiers"] == [{"identifier": "20.500.12269/abc",
                                              "type": "SciCat PID"}]  # fmt: skip
    assert body["techniques"][0]["panet_id"].startswith("PaNET")
    assert body["instrument"]["code"] == inst.code
    assert body["dates"]["embargo_until"] == "2027-01-01"
    assert body["owner_group"] == "p-1234"
    assert body["storage_folder"] == "beamline/2026/run1"


def test_get_body_round_trips_unchanged(owner):
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    body = get_json(ds)  # read-only keys (pid, status, file_count, dates.updated…) included
    again = dataset_update(dataset=ds, data=body, actor=owner, partial=False)
    assert again.changed_fields == []
    assert get_json(again) == body


def test_partial_update_changes_only_given_keys(owner):
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    ds = dataset_update(dataset=ds, data={"dates": {"embargo_until": None}}, actor=owner)
    body = get_json(ds)
    assert body["dates"]["embargo_until"] is None
    assert body["dates"]["collection_start"].startswith("2026-01-01")
    assert body["title"] == "Ptychography of a battery cathode"
    assert ds.changed_fields == ["dates"]


def test_full_update_resets_absent_keys(owner):
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    ds = dataset_update(dataset=ds, data={"title": "New"}, actor=owner, partial=False)
    body = get_json(ds)
    assert body["creators"] == [] and body["techniques"] == [] and body["keywords"] == []


def test_nested_rows_are_replaced(owner):
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    dataset_update(dataset=ds, data={"creators": [{"name": "A"}, {"name": "B"}]}, actor=owner)
    assert list(Creator.objects.filter(dataset=ds).values_list("name", flat=True)) == ["A", "B"]


def _returned_json(ds: Dataset) -> dict:
    """The state of the record dataset_update returns (what the API answers with)."""
    return {**dataset_json(dataset_snapshot(ds)), **dataset_editor_json(ds)}


NESTED_PATCHES = {
    "creators": [{"name": "A"}, {"name": "B"}],
    "contributors": [
        {"name": "ESRF", "name_type": "Organizational", "contributor_type": "Sponsor"}
    ],
    "related_identifiers": [
        {
            "identifier": "https://doi.org/10.1234/XYZ",
            "identifier_type": "DOI",
            "relation_type": "Cites",
        }
    ],
    "funding_references": [{"funder_name": "ERC"}],
    "alternate_identifiers": [{"identifier": "20.500.12269/xyz", "type": "SciCat PID"}],
    "techniques": [],
    "access_groups": ["readers-of-the-test"],
    "keywords": ["only", "keywords"],
}


@pytest.mark.parametrize("key", list(NESTED_PATCHES))
def test_the_record_returned_after_a_change_is_the_stored_one(owner, key):
    """After a change, the nested rows it did not replace are taken from the load before it
    (same transaction, row locked): the record returned must still be what is stored, for the
    replaced rows and for the kept ones alike."""
    GroupFactory(name="readers-of-the-test")
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    before = get_json(ds)
    changed = dataset_update(dataset=ds, data={key: NESTED_PATCHES[key]}, actor=owner)
    assert changed.changed_fields == [key]
    stored = get_json(ds)
    assert _returned_json(changed) == stored
    assert stored[key] != before[key]
    assert {k: v for k, v in stored.items() if k not in (key, "dates")} == {
        k: v for k, v in before.items() if k not in (key, "dates")
    }


def test_a_keyword_change_reads_each_nested_table_once(owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    with CaptureQueriesContext(connection) as queries:
        dataset_update(dataset=ds, data={"keywords": ["x"]}, actor=owner)
    reads = [  # the record's loads (not the access check's EXISTS on its groups)
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and not q["sql"].startswith('SELECT 1 AS "a"')
    ]
    for table in ("catalogue_creator", "catalogue_contributor", "catalogue_relatedidentifier",
                  "catalogue_fundingreference", "catalogue_alternateidentifier",
                  "catalogue_dataset_techniques", "catalogue_dataset_access_groups"):  # fmt: skip
        assert sum(f'FROM "{table}"' in sql or f'JOIN "{table}"' in sql for sql in reads) == 1, (
            table
        )


def test_draft_may_be_incomplete(owner):
    ds = dataset_create(data={}, actor=owner)
    assert ds.title == "" and ds.status == Status.DRAFT


def test_title_required_past_draft(owner):
    ds = make_dataset(Status.SUBMITTED, owner_group=owner.groups.get())
    with pytest.raises(DatasetInputError) as exc:
        dataset_update(dataset=ds, data={"title": ""}, actor=owner)
    assert "title" in exc.value.errors


@pytest.mark.parametrize(
    ("data", "path"),
    [
        ({"nonsense": 1}, "nonsense"),
        ({"creators": [{"name": "X", "email": "x@y"}]}, "creators[0].email"),
        ({"creators": [{"name": "X", "orcid": "0000-0002-1825-0098"}]}, "creators[0].orcid"),
        (
            {
                "creators": [
                    {"name": "X", "affiliation": {"name": "D", "ror": "https://ror.org/01js2sh05"}}
                ]
            },
            "creators[0].affiliation.ror",
        ),
        ({"publisher": {"name": "X", "ror": "nope"}}, "publisher.ror"),
        (
            {
                "related_identifiers": [
                    {"identifier": "not-a-doi", "identifier_type": "DOI", "relation_type": "Cites"}
                ]
            },
            "related_identifiers[0].identifier",
        ),
        (
            {
                "related_identifiers": [
                    {"identifier": "x", "identifier_type": "URL", "relation_type": "Likes"}
                ]
            },
            "related_identifiers[0].relation_type",
        ),
        ({"techniques": ["PaNET01012", "PaNET99999"]}, "techniques[1]"),
        (
            {
                "dates": {
                    "collection_start": "2026-02-01T00:00:00Z",
                    "collection_end": "2026-01-01T00:00:00Z",
                }
            },
            "dates.collection_end",
        ),
        ({"dates": {"embargo_until": "soon"}}, "dates.embargo_until"),
        ({"scientific_metadata": {"a.b": 1}}, "scientific_metadata"),
        ({"scientific_metadata": [1]}, "scientific_metadata"),
        ({"license": "WTFPL"}, "license"),
        ({"resource_type": {"general": "Movie"}}, "resource_type.general"),
        ({"title": 5}, "title"),
        ({"publication_year": "2020"}, "publication_year"),
        ({"instrument": "no-such"}, "instrument"),
        ({"storage_folder": "../etc"}, "storage_folder"),
        ({"access_groups": ["no-such-group"]}, "access_groups[0]"),
        ({"owner_group": "someone-elses"}, "owner_group"),
        ({"alternate_identifiers": [{"identifier": "x"}]}, "alternate_identifiers[0].type"),
    ],
)
def test_invalid_input_is_named_by_path_and_nothing_written(owner, data, path):
    GroupFactory(name="someone-elses")
    before = Dataset.objects.count()
    with pytest.raises(DatasetInputError) as exc:
        dataset_create(data={"title": "T", **data}, actor=owner)
    assert path in exc.value.errors, exc.value.errors
    assert Dataset.objects.count() == before


def test_invalid_update_writes_nothing(owner):
    ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
    with pytest.raises(DatasetInputError):
        dataset_update(
            dataset=ds,
            data={"title": "Changed", "creators": [{"name": "X", "orcid": "1234"}]},
            actor=owner,
        )
    assert get_json(ds)["title"] == "Ptychography of a battery cathode"
    assert Creator.objects.filter(dataset=ds).count() == 1


def test_owner_group_rule(owner, curator):
    GroupFactory(name="other")
    with pytest.raises(DatasetInputError):
        dataset_create(data={"owner_group": "other"}, actor=owner)
    assert dataset_create(data={"owner_group": "other"}, actor=curator).owner_group.name == "other"


def test_pid_and_doi_are_immutable(owner, curator):
    ds = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get())
    with pytest.raises(DatasetInputError) as exc:
        dataset_update(dataset=ds, data={"doi": "10.9999/other"}, actor=curator)
    assert "doi" in exc.value.errors
    with pytest.raises(DatasetInputError) as exc:
        dataset_update(
            dataset=ds, data={"pid": "00000000-0000-0000-0000-000000000001"}, actor=curator
        )
    assert "pid" in exc.value.errors
    same = dataset_update(dataset=ds, data={"doi": ds.doi.upper(), "pid": str(ds.pid)},
                          actor=curator)  # fmt: skip
    assert same.doi == ds.doi


def test_curator_may_set_a_doi_once_others_are_ignored(owner, curator):
    ds = dataset_create(data={"doi": "10.1234/mine"}, actor=owner)
    assert ds.doi is None
    ds = dataset_update(dataset=ds, data={"doi": "10.1234/KEPT"}, actor=curator)
    assert ds.doi == "10.1234/kept"


def test_edit_of_published_record_writes_audit_event(owner):
    ds = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get())
    dataset_update(dataset=ds, data={"title": "Better", "keywords": ["a"]}, actor=owner)
    event = DatasetEvent.objects.get(dataset=ds)
    assert event.kind == DatasetEvent.Kind.EDIT
    assert event.changed_fields == ["keywords", "title"]
    assert event.actor == owner and event.to_status == Status.PUBLISHED


def test_draft_edits_write_no_event(owner):
    ds = dataset_create(data={"title": "T"}, actor=owner)
    dataset_update(dataset=ds, data={"title": "U"}, actor=owner)
    assert not DatasetEvent.objects.filter(dataset=ds).exists()


def test_reader_may_not_update(owner):
    reader = UserFactory()
    group = GroupFactory(name="readers")
    reader.groups.add(group)
    ds = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get())
    ds.access_groups.add(group)
    with pytest.raises(DatasetForbidden):
        dataset_update(dataset=ds, data={"title": "X"}, actor=reader)


def test_context_by_proposal_and_beamtime(owner):
    bt = BeamtimeFactory()
    ds = dataset_create(
        data={"proposal": bt.proposal.proposal_id, "beamtime": {"beamtime_id": bt.beamtime_id}},
        actor=owner,
    )
    assert ds.beamtime == bt and ds.facility == bt.proposal.facility


def test_delete_draft_only(owner):
    ds = dataset_create(data={"title": "T", "owner_group": "p-1234"}, actor=owner)
    dataset_delete_draft(dataset=ds, actor=owner)
    assert not Dataset.objects.filter(pk=ds.pk).exists()
    published = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get())
    with pytest.raises(DatasetInputError):
        dataset_delete_draft(dataset=published, actor=owner)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_datasets_changed_once_after_commit_not_on_rollback(owner):
    seen = []

    def receiver(sender, dataset_ids, **kwargs):
        seen.append(list(dataset_ids))

    signals.datasets_changed.connect(receiver)
    try:
        with transaction.atomic():
            ds = dataset_create(data=full_data(InstrumentFactory()), actor=owner)
            assert seen == []  # not before commit
        assert seen == [[ds.pk]]
        seen.clear()
        with pytest.raises(RuntimeError), transaction.atomic():
            dataset_update(dataset=ds, data={"title": "Rolled back"}, actor=owner)
            raise RuntimeError
        assert seen == []
        dataset_update(dataset=ds, data={"title": "Once"}, actor=owner)
        assert seen == [[ds.pk]]
        seen.clear()
        dataset_update(dataset=ds, data={"title": "Once"}, actor=owner)  # no change
        assert seen == []
    finally:
        signals.datasets_changed.disconnect(receiver)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_datasets_changed_says_which_records_were_ever_public(owner):
    """Receivers about public copies (OAI-PMH, PaNOSC documents, the home page) are told which
    changed records the public could ever have seen: never an ingestor's drafts; always a
    published or withdrawn record, and a row that is gone (it may have been public)."""
    from catalogue.services.changes import datasets_changed, ever_public_ids

    seen = []

    def receiver(sender, dataset_ids, ever_public_ids, **kwargs):
        seen.append((list(dataset_ids), list(ever_public_ids)))

    draft = dataset_create(data={"title": "T", "owner_group": "p-1234"}, actor=owner)
    published = make_dataset(Status.PUBLISHED, owner_group=owner.groups.get())
    withdrawn = make_dataset(Status.WITHDRAWN, owner_group=owner.groups.get())
    gone = max(draft.pk, published.pk, withdrawn.pk) + 1000
    assert ever_public_ids([draft.pk]) == []
    assert ever_public_ids(sorted([draft.pk, published.pk, withdrawn.pk, gone])) == sorted(
        [published.pk, withdrawn.pk, gone]
    )
    signals.datasets_changed.connect(receiver)
    try:
        dataset_update(dataset=draft, data={"title": "Still a draft"}, actor=owner)
        assert seen == [([draft.pk], [])]
        seen.clear()
        with transaction.atomic():
            datasets_changed([draft.pk, published.pk])
        assert seen == [(sorted([draft.pk, published.pk]), [published.pk])]
    finally:
        signals.datasets_changed.disconnect(receiver)


@pytest.mark.django_db
def test_draft_changes_queue_no_oaipmh_or_panosc_work(owner):
    """The OAI-PMH and PaNOSC receivers queue nothing for records that were never public, and
    take every id when an announcement does not say (a caller sending the signal by hand)."""
    from celery.signals import before_task_publish, task_prerun

    from oaipmh.apps import _datasets_changed as oai_changed
    from panosc.apps import _datasets_changed as panosc_changed

    draft = dataset_create(data={"title": "T", "owner_group": "p-1234"}, actor=owner)
    queued = []

    def published(sender=None, headers=None, **kwargs):  # with a broker
        queued.append(headers["task"])

    def ran(sender=None, **kwargs):  # eager (no broker)
        queued.append(sender.name)

    before_task_publish.connect(published)
    task_prerun.connect(ran)
    try:
        oai_changed(sender=Dataset, dataset_ids=[draft.pk], ever_public_ids=[])
        panosc_changed(sender=Dataset, dataset_ids=[draft.pk], ever_public_ids=[])
        assert queued == []
        oai_changed(sender=Dataset, dataset_ids=[draft.pk])
        assert queued == ["oaipmh.render_records"]
    finally:
        before_task_publish.disconnect(published)
        task_prerun.disconnect(ran)
