"""Embargo release: once, with an event, the owners told and DataCite's rights updated."""

import datetime

import pytest
from django.core import mail

from catalogue.models import Status
from catalogue.services.embargo import datasets_release_embargoes
from catalogue.snapshot import dataset_snapshot
from catalogue.tasks import release_embargoes
from doi.datacite import datacite_xml
from tests.factories import UserFactory, make_dataset

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


def test_release_happens_once_with_an_event_and_mail(django_capture_on_commit_callbacks):
    ended = make_dataset(Status.PUBLISHED, embargo_until=TODAY)
    running = make_dataset(Status.PUBLISHED, embargo_until=TODAY + datetime.timedelta(days=1))
    draft = make_dataset(Status.APPROVED, embargo_until=TODAY - datetime.timedelta(days=3))
    owner = UserFactory(username="own", email="own@example.org")
    owner.groups.add(ended.owner_group)
    with django_capture_on_commit_callbacks(execute=True):
        assert datasets_release_embargoes(today=TODAY) == [ended.pk]
    ended.refresh_from_db()
    assert ended.embargo_released_on == TODAY
    event = ended.events.get()
    assert (event.from_status, event.to_status) == ("published", "published")
    assert "embargo ended" in event.comment
    assert [m.to for m in mail.outbox] == [["own@example.org"]]
    assert ended.title in mail.outbox[0].subject
    # Idempotent: a second (or late) run releases nothing again.
    with django_capture_on_commit_callbacks(execute=True):
        assert datasets_release_embargoes(today=TODAY + datetime.timedelta(days=5)) == [running.pk]
    assert ended.events.count() == 1 and len(mail.outbox) == 1
    assert not draft.events.exists()
    # A new embargo end (extended after release) is released again when it comes.
    ended.embargo_until = TODAY + datetime.timedelta(days=30)
    ended.save()
    assert datasets_release_embargoes(today=TODAY + datetime.timedelta(days=30)) == [ended.pk]


def test_datacite_rights_follow_todays_date():
    ds = make_dataset(Status.PUBLISHED, embargo_until=datetime.date.today())
    ds.embargo_until = datetime.date.today() + datetime.timedelta(days=1)
    ds.save()
    assert b"info:eu-repo/semantics/embargoedAccess" in datacite_xml(dataset_snapshot(ds))
    ds.embargo_until = datetime.date.today()
    ds.save()
    xml = datacite_xml(dataset_snapshot(ds))
    assert b"info:eu-repo/semantics/openAccess" in xml
    assert b"embargoedAccess" not in xml


def test_the_daily_task_releases(django_capture_on_commit_callbacks):
    make_dataset(Status.PUBLISHED, embargo_until=datetime.date.today())
    assert release_embargoes.delay().get() == 1
    assert release_embargoes.delay().get() == 0
