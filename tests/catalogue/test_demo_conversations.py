"""The demo's conversations: alice's datasets in every state, each with comments from her and
the curator and the transitions, built through the services."""

import pytest

from catalogue.curation.selectors import dataset_conversation, datasets_of_user
from catalogue.demo.builder import DemoBuilder
from catalogue.demo.conversations import SCRIPTS, build_conversations
from catalogue.models import DatasetEvent, Status

pytestmark = pytest.mark.django_db


def test_every_state_has_a_conversation_and_a_second_run_changes_nothing(mailoutbox):
    builder = DemoBuilder()
    builder.build_context()
    builder.build_users()  # calls build_conversations
    datasets = build_conversations(builder)
    assert sorted(d.status for d in datasets) == sorted(Status.values)
    assert {d.status for d in datasets} == {state for state, _, _ in SCRIPTS}
    alice = datasets[0].created_by
    assert alice.username == "alice"
    # "My datasets" lists them (a withdrawn one is a tombstone, which the gate does not list).
    listed = set(datasets_of_user(user=alice))
    assert listed >= {d for d in datasets if d.status != Status.WITHDRAWN}
    for ds in datasets:
        events = list(dataset_conversation(dataset=ds))
        assert [e.created_at for e in events] == sorted(e.created_at for e in events)
        comments = [e for e in events if e.kind == DatasetEvent.Kind.COMMENT]
        assert comments and all(e.actor_name in ("alice", "curator") for e in events), ds.status
        moves = [e.to_status for e in events if e.kind == DatasetEvent.Kind.TRANSITION]
        assert (moves[-1] if moves else Status.DRAFT) == ds.status
        if ds.status not in (Status.DRAFT, Status.SUBMITTED):
            assert {e.actor_name for e in events} == {"alice", "curator"}, ds.status
    published = next(d for d in datasets if d.status == Status.PUBLISHED)
    assert published.doi and published.file_count == 1
    assert mailoutbox == []  # made-up addresses: the demo sends nothing
    events = DatasetEvent.objects.count()
    assert build_conversations(builder) == datasets
    assert DatasetEvent.objects.count() == events
