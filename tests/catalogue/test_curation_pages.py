"""The owner/curator panel on the dataset page, My datasets and the review queue."""

import pytest

from catalogue.models import DatasetEvent, Status
from tests.factories import CuratorFactory, DataFileFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    user.groups.add(GroupFactory(name="p-1"))
    return user


def test_owner_sees_checklist_actions_and_conversation_the_public_does_not(client, alice):
    ds = make_dataset(status=Status.CHANGES_REQUESTED, owner_group=alice.groups.get())
    DatasetEvent.objects.create(
        dataset=ds,
        from_status="in_review",
        to_status=ds.status,
        actor_name="cur",
        comment="Please add the sample temperature.",
    )
    client.force_login(alice)
    html = client.get(ds.get_absolute_url()).content.decode()
    assert 'id="curation"' in html
    assert "Please add the sample temperature." in html
    assert 'data-check="files.present"' in html
    assert ">Resubmit</button>" in html and "disabled" in html  # no file yet: blocking
    assert 'name="comment"' in html
    published = make_dataset(status=Status.PUBLISHED)
    client.logout()
    assert 'id="curation"' not in client.get(published.get_absolute_url()).content.decode()


def test_owner_comments_and_resubmits_on_the_site(client, alice):
    ds = make_dataset(status=Status.CHANGES_REQUESTED, owner_group=alice.groups.get())
    DataFileFactory(dataset=ds)
    client.force_login(alice)
    r = client.post(f"/datasets/{ds.pid}/comment", {"comment": "Added it."})
    assert r.status_code == 302 and r["Location"].endswith("#curation")
    resubmit = {"to": "submitted", "from_status": "changes_requested"}
    r = client.post(f"/datasets/{ds.pid}/transition", resubmit, follow=True)
    assert "Resubmit: done." in r.content.decode()
    ds.refresh_from_db()
    assert ds.status == Status.SUBMITTED
    assert list(ds.events.order_by("id").values_list("kind", flat=True)) == [
        "comment",
        "transition",
    ]
    # The same button pressed again (second tab): a clear message, no second event.
    resubmit = {"to": "submitted", "from_status": "changes_requested"}
    r = client.post(f"/datasets/{ds.pid}/transition", resubmit, follow=True)
    assert "Somebody else changed this dataset meanwhile" in r.content.decode()
    assert ds.events.filter(kind="transition").count() == 1


def test_strangers_get_404_from_the_actions(client, alice):
    ds = make_dataset(owner_group=alice.groups.get())
    client.force_login(UserFactory())
    assert client.post(f"/datasets/{ds.pid}/comment", {"comment": "x"}).status_code == 404
    assert client.post(f"/datasets/{ds.pid}/transition", {"to": "submitted"}).status_code == 404


def test_my_datasets_lists_own_datasets_with_status_and_filters(client, alice):
    mine = make_dataset(owner_group=alice.groups.get(), title="Mine draft")
    other = make_dataset(status=Status.SUBMITTED, owner_group=alice.groups.get(), title="Mine sub")
    make_dataset(title="Somebody else's")
    client.force_login(alice)
    html = client.get("/my/datasets/").content.decode()
    assert mine.title in html and other.title in html and "Somebody else" not in html
    assert "Complete the checklist and submit." in html
    html = client.get("/my/datasets/?status=submitted").content.decode()
    assert other.title in html and mine.title not in html
    client.logout()
    assert client.get("/my/datasets/").status_code == 302  # to the log-in page


def test_my_datasets_keeps_withdrawn_records_for_their_owners_only(client, alice):
    gone = make_dataset(status=Status.WITHDRAWN, owner_group=alice.groups.get(), title="Old one")
    reader = UserFactory(username="reader")
    reader.groups.add(GroupFactory(name="readers-1"))
    gone.access_groups.add(reader.groups.get())
    client.force_login(alice)
    html = client.get("/my/datasets/").content.decode()
    assert "Old one" in html and "Withdrawn." in html  # with what it means next
    assert "Old one" in client.get("/my/datasets/?status=withdrawn").content.decode()
    # The tombstone is all it opens, as for everyone.
    assert client.get(gone.get_absolute_url()).status_code == 410
    # Readers of the record do not keep it in their list; nor does anyone else.
    client.force_login(reader)
    assert "Old one" not in client.get("/my/datasets/").content.decode()
    client.force_login(UserFactory())
    assert "Old one" not in client.get("/my/datasets/").content.decode()


def test_review_queue_claim_and_filters(client, alice):
    curator = CuratorFactory(username="cur")
    waiting = make_dataset(status=Status.SUBMITTED, title="Waiting one")
    DatasetEvent.objects.create(dataset=waiting, from_status="draft", to_status="submitted",
                                actor_name="alice")  # fmt: skip
    make_dataset(status=Status.DRAFT, title="Not submitted")
    client.force_login(alice)
    assert client.get("/curation/").status_code == 404
    client.force_login(curator)
    html = client.get("/curation/").content.decode()
    assert "Waiting one" in html and "Not submitted" not in html
    assert "alice" in html and ">Start review</button>" in html
    r = client.post("/curation/", {"pid": str(waiting.pid), "assignee": "me"})
    assert r.status_code == 302
    waiting.refresh_from_db()
    assert waiting.assignee == curator
    client.get("/curation/")  # shows (and so clears) the "assigned" message
    other = f"?facility={waiting.facility.code}x"
    assert "Waiting one" not in client.get("/curation/" + other).content.decode()
    assert (
        "Waiting one" in client.get(f"/curation/?facility={waiting.facility.code}").content.decode()
    )
    assert "Waiting one" in client.get("/curation/?assignee=me").content.decode()
    assert "Waiting one" not in client.get("/curation/?assignee=none").content.decode()
