"""E-mail of the review loop: after commit, one message per recipient, text and HTML."""

import datetime

import pytest
from django.utils import timezone

from catalogue.models import DatasetEvent, Status
from catalogue.services import lifecycle
from catalogue.services.curation import dataset_comment
from catalogue.services.notifications import review_reminder_send
from tests.factories import CuratorFactory, DataFileFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def owners():
    group = GroupFactory(name="p-9")
    users = [UserFactory(username=n, email=f"{n}@example.org") for n in ("alice", "bob")]
    for u in users:
        u.groups.add(group)
    return group, users


def test_submission_mails_each_curator_separately_after_commit(
    owners, mailoutbox, django_capture_on_commit_callbacks
):
    group, (alice, _) = owners
    CuratorFactory(username="c1", email="c1@example.org")
    CuratorFactory(username="c2", email="c2@example.org")
    ds = make_dataset(owner_group=group)
    DataFileFactory(dataset=ds)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lifecycle.dataset_submit(dataset=ds, actor=alice)
    assert mailoutbox == []  # nothing inside the transaction
    for callback in callbacks:
        callback()
    assert sorted(m.to[0] for m in mailoutbox) == ["c1@example.org", "c2@example.org"]
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mailoutbox)
    html = mailoutbox[0].alternatives[0]
    assert html[1] == "text/html" and ds.title in html[0]
    assert ds.title in mailoutbox[0].subject


def test_changes_requested_mails_the_owners_comments_the_other_side(
    owners, mailoutbox, django_capture_on_commit_callbacks
):
    group, (alice, _) = owners
    curator = CuratorFactory(username="c1", email="c1@example.org")
    ds = make_dataset(status=Status.IN_REVIEW, owner_group=group)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.dataset_request_changes(dataset=ds, actor=curator, comment="Units, please.")
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]
    assert "Units, please." in mailoutbox[0].body
    mailoutbox.clear()
    ds.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        dataset_comment(dataset=ds, actor=alice, comment="Done.")
    assert [m.to for m in mailoutbox] == [["c1@example.org"]]  # not alice herself
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        dataset_comment(dataset=ds, actor=curator, comment="Thanks.")
    assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "bob@example.org"]


def test_a_refused_move_sends_nothing(owners, mailoutbox, django_capture_on_commit_callbacks):
    group, (alice, _) = owners
    CuratorFactory(email="c1@example.org")
    ds = make_dataset(owner_group=group)  # no file: the checklist blocks
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(lifecycle.TransitionError):
        lifecycle.dataset_submit(dataset=ds, actor=alice)
    assert mailoutbox == []


def test_daily_reminder_names_old_submissions(mailoutbox, settings):
    settings.REVIEW_REMINDER_DAYS = 7
    CuratorFactory(email="c1@example.org")
    old = make_dataset(status=Status.SUBMITTED, title="Old one")
    event = DatasetEvent.objects.create(dataset=old, from_status="draft", to_status="submitted")
    DatasetEvent.objects.filter(pk=event.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=10)
    )
    fresh = make_dataset(status=Status.SUBMITTED, title="Fresh one")
    DatasetEvent.objects.create(dataset=fresh, from_status="draft", to_status="submitted")
    assert review_reminder_send() == 1
    assert "Old one" in mailoutbox[0].body and "Fresh one" not in mailoutbox[0].body
