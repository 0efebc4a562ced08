"""The curation API: checklist, transitions (the one table) and the conversation; the whole
review loop through the API."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from catalogue.models import DatasetEvent, Status
from catalogue.services import lifecycle
from tests.factories import (
    CuratorFactory,
    DataFileFactory,
    DatasetFactory,
    GroupFactory,
    UserFactory,
    make_dataset,
)

pytestmark = pytest.mark.django_db


def _client(user=None) -> APIClient:
    c = APIClient()
    if user is not None:
        c.force_authenticate(user)
    return c


@pytest.fixture
def alice():
    user = UserFactory(username="alice", email="alice@example.org")
    user.groups.add(GroupFactory(name="p-1"))
    return user


@pytest.fixture
def curator():
    return CuratorFactory(username="cur", email="cur@example.org")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_whole_loop_through_the_api(alice, curator, settings, mailoutbox):
    settings.DOI_PREFIX = "10.1234"
    ds = DatasetFactory(owner_group=alice.groups.get(), created_by=alice)
    me, cur = _client(alice), _client(curator)
    base = f"/api/v1/datasets/{ds.pid}"

    check = me.get(f"{base}/checklist").json()
    assert check["submittable"] is False
    assert [i["id"] for i in check["items"] if not i["passed"] and i["level"] == "blocking"] == [
        "files.present",
        "files.checksums",
    ]
    assert me.get(f"{base}/transitions").json()["transitions"] == [
        {"to": "submitted", "label": "Submit for review", "comment_required": False}
    ]
    refused = me.post(f"{base}/transitions", {"to": "submitted"}, format="json")
    assert refused.status_code == 400
    assert {i["id"] for i in refused.json()["checklist"]} == {
        "files.present",
        "files.checksums",
    }

    DataFileFactory(dataset=ds)
    assert me.get(f"{base}/checklist").json()["submittable"] is True
    body = me.post(f"{base}/transitions", {"to": "submitted"}, format="json")
    assert body.status_code == 200 and body.json()["status"] == "submitted"
    assert [m.to for m in mailoutbox] == [["cur@example.org"]]

    assert cur.post(f"{base}/transitions", {"to": "in_review"}, format="json").status_code == 200
    moves = {t["to"]: t for t in cur.get(f"{base}/transitions").json()["transitions"]}
    assert set(moves) == {"approved", "changes_requested", "declined"}
    assert moves["changes_requested"]["comment_required"] is True
    no_comment = cur.post(f"{base}/transitions", {"to": "changes_requested"}, format="json")
    assert no_comment.status_code == 400 and "changes" in no_comment.json()["detail"]
    r = cur.post(
        f"{base}/transitions", {"to": "changes_requested", "comment": "Add the sample."},
        format="json",
    )  # fmt: skip
    assert r.status_code == 200
    assert mailoutbox[-1].to == ["alice@example.org"] and "Add the sample." in mailoutbox[-1].body

    # Alice reads the comment, answers, resubmits.
    events = me.get(f"{base}/events").json()["results"]
    assert events[-1]["comment"] == "Add the sample." and events[-1]["kind"] == "transition"
    answer = me.post(f"{base}/events", {"comment": "Sample added."}, format="json")
    assert answer.status_code == 201 and answer.json()["kind"] == "comment"
    assert mailoutbox[-1].to == ["cur@example.org"]
    assert me.post(f"{base}/transitions", {"to": "submitted"}, format="json").status_code == 200
    for to in ("in_review", "approved", "published"):
        assert cur.post(f"{base}/transitions", {"to": to}, format="json").status_code == 200
    final = _client().get(base).json()
    assert final["status"] == "published" and final["doi"]  # reserved at approval
    kinds = [(e["kind"], e["to_status"]) for e in me.get(f"{base}/events").json()["results"]]
    assert kinds == [
        ("transition", "submitted"), ("transition", "in_review"),
        ("transition", "changes_requested"), ("comment", "changes_requested"),
        ("transition", "submitted"), ("transition", "in_review"), ("transition", "approved"),
        ("transition", "published"),
    ]  # fmt: skip


def test_gate_answers_for_strangers_readers_and_the_public(alice, curator):
    draft = make_dataset(owner_group=alice.groups.get())
    base = f"/api/v1/datasets/{draft.pid}"
    stranger = _client(UserFactory())
    for path in ("checklist", "transitions", "events"):
        assert stranger.get(f"{base}/{path}").status_code == 404
        assert _client().get(f"{base}/{path}").status_code == 404
    published = make_dataset(status=Status.PUBLISHED)
    assert _client().get(f"/api/v1/datasets/{published.pid}/events").status_code in (401, 403)
    assert stranger.get(f"/api/v1/datasets/{published.pid}/events").status_code == 403
    reader = UserFactory()
    group = GroupFactory(name="readers")
    reader.groups.add(group)
    draft.access_groups.add(group)
    r = _client(reader)
    assert r.get(f"{base}/events").status_code == 200
    assert r.get(f"{base}/transitions").json()["transitions"] == []
    assert r.post(f"{base}/events", {"comment": "hi"}, format="json").status_code == 403
    assert r.post(f"{base}/transitions", {"to": "submitted"}, format="json").status_code == 403
    sub = make_dataset(status=Status.SUBMITTED, owner_group=alice.groups.get())
    assert _client(alice).post(
        f"/api/v1/datasets/{sub.pid}/transitions", {"to": "in_review"}, format="json"
    ).status_code == 403  # fmt: skip


def test_bad_input_gives_a_clear_400(alice):
    ds = make_dataset(owner_group=alice.groups.get())
    me, base = _client(alice), f"/api/v1/datasets/{ds.pid}"
    assert me.post(f"{base}/transitions", {}, format="json").status_code == 400
    r = me.post(f"{base}/transitions", {"to": "nonsense"}, format="json")
    assert r.status_code == 400 and "Unknown status" in r.json()["detail"]
    r = me.post(f"{base}/transitions", {"to": "published"}, format="json")
    assert r.status_code == 400 and "cannot go from draft" in r.json()["detail"]
    assert me.post(f"{base}/events", {"comment": "  "}, format="json").status_code == 400
    assert me.post(f"{base}/events", ["x"], format="json").status_code == 400


def test_a_stale_from_or_a_retry_answers_409_with_the_status(curator):
    ds = make_dataset(status=Status.SUBMITTED)
    c, base = _client(curator), f"/api/v1/datasets/{ds.pid}"
    assert c.post(f"{base}/transitions", {"to": "in_review", "from": "submitted"},
                  format="json").status_code == 200  # fmt: skip
    again = c.post(f"{base}/transitions", {"to": "in_review", "from": "submitted"}, format="json")
    assert again.status_code == 409 and again.json()["status"] == "in_review"
    retry = c.post(f"{base}/transitions", {"to": "in_review"}, format="json")
    assert retry.status_code == 409 and retry.json()["status"] == "in_review"
    assert DatasetEvent.objects.filter(dataset=ds, to_status="in_review").count() == 1


def test_declined_closes_with_a_reason_and_the_owner_reopens(alice, curator):
    ds = make_dataset(status=Status.IN_REVIEW, owner_group=alice.groups.get())
    base = f"/api/v1/datasets/{ds.pid}"
    r = _client(curator).post(f"{base}/transitions", {"to": "declined", "comment": "Out of scope."},
                              format="json")  # fmt: skip
    assert r.json()["status"] == "declined"
    assert _client(alice).get(f"{base}/transitions").json()["transitions"] == [
        {"to": "draft", "label": "Reopen as draft", "comment_required": False}
    ]
    r = _client(alice).post(f"{base}/transitions", {"to": "draft"}, format="json")
    assert r.json()["status"] == "draft"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_curators_at_once_one_wins_no_double_event():
    ds = make_dataset(status=Status.SUBMITTED)
    DataFileFactory(dataset=ds)
    first, second = CuratorFactory(), CuratorFactory()
    barrier = threading.Barrier(2)
    outcomes = []

    def act(user):
        try:
            barrier.wait()
            lifecycle.dataset_start_review(dataset=ds, actor=user)
            outcomes.append("ok")
        except lifecycle.TransitionConflict as exc:
            outcomes.append(("conflict", exc.status, str(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=act, args=(u,)) for u in (first, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes, key=str)[0][:2] == ("conflict", "in_review")
    assert outcomes.count("ok") == 1
    assert "Somebody else changed this dataset" in next(o for o in outcomes if o != "ok")[2]
    assert DatasetEvent.objects.filter(dataset=ds, to_status="in_review").count() == 1
