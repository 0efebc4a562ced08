"""Lifecycle transitions: the table of allowed moves, who may make them, DataCite
completeness on leaving draft, atomicity, and the audit trail."""

import pytest
from django.contrib.auth.models import Group

from catalogue.access import CURATORS_GROUP
from catalogue.models import Creator, Dataset, DatasetEvent, Status
from catalogue.services import lifecycle
from tests.factories import DataFileFactory, DatasetFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def curator():
    user = UserFactory(username="cur", is_staff=True)
    user.groups.add(Group.objects.get(name=CURATORS_GROUP))
    return user


@pytest.fixture
def owner():
    return UserFactory(username="owner")


def _owned(owner, **kwargs):
    ds = DatasetFactory(**kwargs)
    DataFileFactory(dataset=ds)  # the checklist wants a file before submission
    owner.groups.add(ds.owner_group)
    return ds


def test_full_path_to_publication_records_every_step(owner, curator, settings):
    settings.DATACITE_PREFIX = "10.1234"
    ds = _owned(owner)
    ds = lifecycle.dataset_submit(dataset=ds, actor=owner)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=curator)
    ds = lifecycle.dataset_request_changes(dataset=ds, actor=curator, comment="Add methods.")
    ds = lifecycle.dataset_submit(dataset=ds, actor=owner)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=curator)
    ds = lifecycle.dataset_approve(dataset=ds, actor=curator)
    ds = lifecycle.dataset_publish(dataset=ds, actor=curator)
    assert ds.status == Status.PUBLISHED
    assert ds.published_at is not None
    assert ds.doi.startswith("10.1234/") and ds.doi == ds.doi.lower()
    events = list(ds.events.order_by("id").values_list("from_status", "to_status", "actor_name"))
    assert events == [
        ("draft", "submitted", "owner"),
        ("submitted", "in_review", "cur"),
        ("in_review", "changes_requested", "cur"),
        ("changes_requested", "submitted", "owner"),
        ("submitted", "in_review", "cur"),
        ("in_review", "approved", "cur"),
        ("approved", "published", "cur"),
    ]
    assert ds.events.get(to_status="changes_requested").comment == "Add methods."


def test_leaving_draft_names_every_missing_datacite_property(owner):
    ds = _owned(owner, creators=[], publisher="", publication_year=None, title="  ")
    with pytest.raises(lifecycle.TransitionError) as err:
        lifecycle.dataset_submit(dataset=ds, actor=owner)
    message = str(err.value)
    for name in ("titles", "creators", "publisher", "publicationYear"):
        assert name in message
    ds.refresh_from_db()
    assert ds.status == Status.DRAFT
    assert not DatasetEvent.objects.filter(dataset=ds).exists()


def test_mandatory_properties_are_checked_again_at_publication(owner, curator):
    ds = _owned(owner)
    for step in (lifecycle.dataset_submit, lifecycle.dataset_start_review,
                 lifecycle.dataset_approve):  # fmt: skip
        ds = step(dataset=ds, actor=curator)
    Creator.objects.filter(dataset=ds).delete()
    with pytest.raises(lifecycle.TransitionError, match="creators"):
        lifecycle.dataset_publish(dataset=ds, actor=curator)
    ds.refresh_from_db()
    # The DOI was reserved at approval (doi.services.doi_reserve) and stays only reserved.
    assert ds.status == Status.APPROVED and ds.doi_registration.state == "reserved"


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_moves_in_the_table_are_possible(current, target, curator):
    ds = make_dataset(status=current)
    DataFileFactory(dataset=ds)
    functions = {
        Status.SUBMITTED: lifecycle.dataset_submit,
        Status.DRAFT: lifecycle.dataset_retract,
        Status.IN_REVIEW: lifecycle.dataset_start_review,
        Status.APPROVED: lifecycle.dataset_approve,
        Status.PUBLISHED: lifecycle.dataset_publish,
    }
    if target == Status.CHANGES_REQUESTED:
        move = lambda: lifecycle.dataset_request_changes(dataset=ds, actor=curator, comment="x")  # noqa: E731
    elif target == Status.DECLINED:
        move = lambda: lifecycle.dataset_decline(dataset=ds, actor=curator, comment="x")  # noqa: E731
    elif target == Status.WITHDRAWN:
        move = lambda: lifecycle.dataset_withdraw(dataset=ds, actor=curator, reason="x")  # noqa: E731
    else:
        move = lambda: functions[target](dataset=ds, actor=curator)  # noqa: E731
    if (current, target) in lifecycle.TRANSITION_TABLE:
        assert move().status == target
    else:
        with pytest.raises(lifecycle.TransitionError):
            move()
        assert Dataset.objects.get(pk=ds.pk).status == current


def test_owners_cannot_do_curator_steps_and_strangers_nothing(owner):
    ds = _owned(owner)
    stranger = UserFactory(username="stranger")
    with pytest.raises(lifecycle.TransitionError, match="owners or a curator"):
        lifecycle.dataset_submit(dataset=ds, actor=stranger)
    ds = lifecycle.dataset_submit(dataset=ds, actor=owner)
    with pytest.raises(lifecycle.TransitionError, match="Only curators"):
        lifecycle.dataset_start_review(dataset=ds, actor=owner)


def test_withdrawal_needs_a_reason_and_keeps_the_doi(curator):
    ds = make_dataset(status=Status.PUBLISHED)
    with pytest.raises(lifecycle.TransitionError, match="reason"):
        lifecycle.dataset_withdraw(dataset=ds, actor=curator, reason="  ")
    ds = lifecycle.dataset_withdraw(dataset=ds, actor=curator, reason="Superseded.")
    assert (ds.status, ds.withdrawal_reason) == (Status.WITHDRAWN, "Superseded.")
    assert ds.doi and ds.withdrawn_at


def test_request_changes_needs_a_comment(curator):
    ds = make_dataset(status=Status.IN_REVIEW)
    with pytest.raises(lifecycle.TransitionError, match="changes"):
        lifecycle.dataset_request_changes(dataset=ds, actor=curator, comment="")


def test_a_stale_object_cannot_skip_the_check(curator):
    """The row is locked and re-read: a second publish from an old copy is refused."""
    ds = make_dataset(status=Status.APPROVED)
    stale = Dataset.objects.get(pk=ds.pk)
    lifecycle.dataset_publish(dataset=ds, actor=curator)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.dataset_publish(dataset=stale, actor=curator)
    assert DatasetEvent.objects.filter(dataset=ds, to_status="published").count() == 1
