"""The role table (catalogue.roles): who holds which role, and what each role may do.

One expected table per role x action, checked through ``user_may`` and through the lifecycle
and the admin that ask it, so the table cannot be bypassed by a second list of roles.
"""

import pytest
from django.contrib.auth.models import AnonymousUser, Group, Permission

from catalogue.models import Status
from catalogue.roles import (
    CURATORS_GROUP,
    REVIEWERS_GROUP,
    ROLE_ACTIONS,
    Action,
    Role,
    user_allowed_actions,
    user_may,
    user_roles,
)
from catalogue.services import lifecycle
from tests.factories import CuratorFactory, GroupFactory, UserFactory, make_dataset

pytestmark = pytest.mark.django_db

A = Action
# Who (in the matrix's words) may do what on a draft owned by group "owners" and shared with
# group "readers". The only list of expectations; the code has the only list of rules.
EXPECTED: dict[str, set[Action]] = {
    "anonymous": set(),
    "other": set(),
    "staff": set(),  # is_staff alone grants nothing
    "reader": {A.VIEW_UNPUBLISHED, A.VIEW_EMBARGOED_FILES},
    "owner": {
        A.VIEW_UNPUBLISHED,
        A.VIEW_EMBARGOED_FILES,
        A.EDIT,
        A.SUBMIT,
        A.MANAGE_REVIEW_LINKS,
        A.NEW_VERSION,
    },
    "creator": {
        A.VIEW_UNPUBLISHED,
        A.VIEW_EMBARGOED_FILES,
        A.EDIT,
        A.SUBMIT,
        A.MANAGE_REVIEW_LINKS,
        A.NEW_VERSION,
    },
    "reviewer": {
        A.VIEW_UNPUBLISHED,
        A.VIEW_EMBARGOED_FILES,
        A.VIEW_ALL,
        A.REVIEW,
        A.CURATE,
        A.MANAGE_REVIEW_LINKS,
    },
    # Opened a live reviewer link of this dataset (catalogue.reviewlinks): reads, nothing else.
    "review_link": {A.VIEW_UNPUBLISHED, A.VIEW_EMBARGOED_FILES},
    "curator": set(Action),
    "admin": set(Action),
}


def _user(who: str, ds):
    if who == "anonymous":
        return AnonymousUser()
    if who == "review_link":
        from catalogue.reviewlinks import ReviewGrant

        visitor = AnonymousUser()
        visitor.review_grants = {ds.pk: ReviewGrant(link_id=1, dataset_id=ds.pk, anonymous=False)}
        return visitor
    if who == "curator":
        return CuratorFactory(username=who)
    if who == "reviewer":
        return CuratorFactory(username=who, curation_group=REVIEWERS_GROUP)
    user = UserFactory(username=who, is_staff=who == "staff", is_superuser=who == "admin")
    if who == "reader":
        user.groups.add(Group.objects.get(name="readers"))
    elif who == "owner":
        user.groups.add(ds.owner_group)
    elif who == "creator":
        type(ds).objects.filter(pk=ds.pk).update(created_by=user)
        ds.refresh_from_db()
    return user


@pytest.fixture
def draft():
    ds = make_dataset(status=Status.DRAFT, owner_group=GroupFactory(name="owners"))
    ds.access_groups.add(GroupFactory(name="readers"))
    return ds


@pytest.mark.parametrize("who", list(EXPECTED))
def test_user_may_follows_the_table(who, draft):
    user = _user(who, draft)
    assert set(user_allowed_actions(user, draft)) == EXPECTED[who]
    for action in Action:
        assert user_may(user, action, draft) == (action in EXPECTED[who]), action


def test_roles_held():
    ds = make_dataset(status=Status.DRAFT, owner_group=GroupFactory(name="owners"))
    ds.access_groups.add(GroupFactory(name="readers"))
    assert user_roles(AnonymousUser(), ds) == {Role.ANONYMOUS}
    assert user_roles(_user("review_link", ds), ds) == {Role.ANONYMOUS, Role.REVIEW_LINK}
    other = make_dataset(status=Status.DRAFT)
    assert user_roles(_user("review_link", ds), other) == {Role.ANONYMOUS}  # that one dataset
    assert user_roles(UserFactory(is_staff=True), ds) == set()
    both = UserFactory()
    both.groups.add(ds.owner_group, Group.objects.get(name="readers"))
    assert user_roles(both, ds) == {Role.OWNER, Role.READER}
    assert user_roles(both) == set()  # without a dataset only global roles count
    assert user_roles(CuratorFactory()) == {Role.CURATOR}
    assert user_roles(UserFactory(is_superuser=True)) == {Role.ADMIN, Role.CURATOR}


def test_inactive_users_hold_no_role(draft):
    user = CuratorFactory(is_superuser=True)
    user.is_active = False
    assert user_roles(user, draft) == {Role.ANONYMOUS}
    assert user_allowed_actions(user, draft) == []


def test_every_role_is_in_the_table():
    assert set(ROLE_ACTIONS) == set(Role)
    assert {t.action for t in lifecycle.TRANSITIONS} <= set(Action)


def test_a_curator_without_the_publish_permission_cannot_publish(settings):
    """A facility splits reviewers from publishers by taking publish_dataset away."""
    settings.DOI_PREFIX = "10.1234"
    curator = CuratorFactory()
    split = Group.objects.create(name="split-curators")
    split.permissions.set(
        Group.objects.get(name=CURATORS_GROUP).permissions.exclude(codename="publish_dataset")
    )
    curator.groups.set([split])
    ds = make_dataset(status=Status.APPROVED)
    assert user_may(curator, Action.REVIEW, ds)
    assert not user_may(curator, Action.PUBLISH, ds)
    with pytest.raises(lifecycle.TransitionError, match="publish permission"):
        lifecycle.dataset_publish(dataset=ds, actor=curator)
    ds = lifecycle.dataset_start_review(dataset=ds, actor=curator)  # review is still allowed
    assert ds.status == Status.IN_REVIEW


def test_reviewers_group_reviews_but_neither_publishes_nor_withdraws():
    reviewer = CuratorFactory(curation_group=REVIEWERS_GROUP)
    codenames = set(
        Permission.objects.filter(group__name=REVIEWERS_GROUP).values_list("codename", flat=True)
    )
    assert {"review_dataset", "view_all_datasets"} <= codenames
    assert not codenames & {"publish_dataset", "withdraw_dataset", "change_dataset"}
    ds = lifecycle.dataset_start_review(
        dataset=make_dataset(status=Status.SUBMITTED), actor=reviewer
    )
    ds = lifecycle.dataset_approve(dataset=ds, actor=reviewer)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.dataset_publish(dataset=ds, actor=reviewer)
    published = make_dataset(status=Status.PUBLISHED)
    with pytest.raises(lifecycle.TransitionError):
        lifecycle.dataset_withdraw(dataset=published, actor=reviewer, reason="No.")


def test_readers_cannot_submit_and_staff_cannot_review(draft):
    reader = _user("reader", draft)
    with pytest.raises(lifecycle.TransitionError, match="owners"):
        lifecycle.dataset_submit(dataset=draft, actor=reader)
    staff = UserFactory(is_staff=True)
    submitted = make_dataset(status=Status.SUBMITTED)
    with pytest.raises(lifecycle.TransitionError, match="review permission"):
        lifecycle.dataset_start_review(dataset=submitted, actor=staff)


def _header(response) -> str:
    html = response.content.decode()
    return html[html.index("<header") : html.index("</header>")]


def test_staff_without_the_role_get_no_admin_dataset_page(client, draft):
    staff = UserFactory(is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_dataset"))
    client.force_login(staff)
    assert client.get(f"/admin/catalogue/dataset/{draft.pk}/change/").status_code == 404
    assert client.get("/admin/catalogue/dataset/99999/change/").status_code == 404
    assert 'href="/admin/"' not in _header(client.get("/"))
    client.force_login(CuratorFactory())
    assert client.get(f"/admin/catalogue/dataset/{draft.pk}/change/").status_code == 200
    assert 'href="/admin/"' in _header(client.get("/"))
