"""The status facet (issue 16 §5): for members and curators only, on BOTH backends.

Who gets it is the gate's answer (``catalogue.access.user_sees_unpublished``): curators, and
users the gate shows a record in a status other than published. Its counts are the gate's
visible records per status (withdrawn ones are in no one's lists); anonymous visitors' facet
list and answers are exactly what they were before the facet existed.
"""

from collections import Counter

import pytest
from django.test import Client

from catalogue.access import datasets_visible_to, user_sees_unpublished
from catalogue.models import Status
from tests.catalogue.search.test_contract import FACET_NAMES, api, facet, titles

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "other", "member", "shared", "creator", "curator"]
MEMBERS = {"member", "shared", "creator", "curator"}


@pytest.fixture
def search(backend, world, client):
    backend.sync()

    def run(params=None, **kwargs):
        return api(client, params, **kwargs)

    return run


def gate_counts(user) -> dict[str, int]:
    visible = datasets_visible_to(user=user).exclude(status=Status.WITHDRAWN)
    return dict(Counter(visible.values_list("status", flat=True)))


def test_the_facet_list_of_anonymous_visitors_is_unchanged(search, world):
    body = search()
    assert list(body["facets"]) == FACET_NAMES  # the eight facets, in this order, no status
    # A status parameter means nothing to them: the same answer as without it.
    assert search({"status": "draft"}) == body
    assert search({"status": "no-such-status"}) == body


@pytest.mark.parametrize("role", ROLES)
def test_who_gets_the_facet_and_its_counts_follow_the_gate(search, world, role):
    user = world.users[role]
    body = search({"page_size": 100}, user=user)
    assert user_sees_unpublished(user) == (role in MEMBERS)
    if role not in MEMBERS:
        assert list(body["facets"]) == FACET_NAMES
        return
    assert list(body["facets"]) == [*FACET_NAMES, "status"]
    counts = facet(body, "status")
    assert counts == gate_counts(user)
    assert "withdrawn" not in counts
    assert sum(counts.values()) == body["total"]


def test_the_counts_per_role_written_out(search, world):
    """The gate's answer above, by hand: guards the test against a vacuous world."""
    expected = {
        "member": {"draft": 1, "published": 4},
        "creator": {"draft": 1, "published": 4},
        "shared": {"in_review": 1, "published": 4},
        "curator": {"draft": 1, "in_review": 1, "published": 4},
    }
    for role, counts in expected.items():
        body = search(user=world.users[role])
        # In the lifecycle's order (draft … published), whatever the counts.
        assert [v["value"] for v in body["facets"]["status"]] == [
            s for s in Status.values if s in counts
        ]
        assert facet(body, "status") == counts


def test_filtering_by_status(search, world):
    curator = world.users["curator"]
    drafts = search({"status": "draft"}, user=curator)
    assert titles(drafts) == {world.draft.title}
    # The status facet ignores its own selection; the other facets follow it.
    assert facet(drafts, "status") == {"draft": 1, "in_review": 1, "published": 4}
    assert facet(drafts, "facility") == {"European Synchrotron Radiation Facility": 1}
    both = search({"status": ["draft", "in_review"]}, user=curator)
    assert titles(both) == {world.draft.title, world.review.title}
    # With another facet selected, the status counts follow that one.
    ill = search({"facility": "Institut Laue-Langevin"}, user=curator)
    assert facet(ill, "status") == {"in_review": 1, "published": 2}
    # A member filters only within what the gate shows them.
    shared = search({"status": "draft"}, user=world.users["shared"])
    assert shared["total"] == 0 and shared["results"] == []
    # The selected value stays listed (as on every facet), with its count.
    assert facet(shared, "status") == {"draft": 0, "in_review": 1, "published": 4}


def test_a_withdrawn_or_unknown_status_is_a_400_for_members(search, world):
    curator = world.users["curator"]
    for value in ("withdrawn", "bogus"):
        body = search({"status": value}, user=curator, status=400)
        assert body["parameter"] == "status"
        assert "status must be one of draft, submitted" in body["detail"]


def test_the_search_page_shows_the_facet_with_the_lifecycle_labels(backend, world):
    backend.sync()
    anonymous = Client().get("/search/").content.decode()
    assert 'id="facet-status"' not in anonymous
    client = Client()
    client.force_login(world.users["curator"])
    html = client.get("/search/").content.decode()
    assert 'id="facet-status"' in html
    for status in (Status.DRAFT, Status.IN_REVIEW, Status.PUBLISHED):
        assert f">{status.label}<" in html
    selected = client.get("/search/", {"status": "in_review"}).content.decode()
    assert world.review.title in selected and world.draft.title not in selected
    assert "Status: In review" in selected  # the active filter, removable
