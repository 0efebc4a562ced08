"""Who may do what: the one table of roles and actions (issue 11 §1).

Stable API (other modules and helpers build on it; keep these names):

* :class:`Role`: ``anonymous``, ``reader``, ``owner``, ``curator``, ``admin``, and
  ``review_link`` (the holder of a reviewer link of that one dataset, catalogue.reviewlinks).
* :class:`Action`: what one can do with a dataset (``view_unpublished``, ``view_embargoed_files``,
  ``view_all``, ``edit``, ``submit``, ``review``, ``publish``, ``withdraw``, ``curate``).
* :data:`ROLE_ACTIONS`: role -> the actions it allows. **The** table; nothing else lists roles.
* :data:`ACTION_PERMISSIONS`: action -> the Django permission a *curator* must hold as well (so
  a facility can split reviewers from publishers: ``review_dataset``, ``publish_dataset`` and
  ``withdraw_dataset`` are checked separately; owners need no permission for their actions).
* :func:`user_roles(user, dataset=None) <user_roles>`: the roles a user holds (on a dataset).
* :func:`user_may(user, action, dataset=None) <user_may>`: the one question everybody asks.
* :func:`user_is_curator`: holds the curator (or admin) role, i.e. may see every dataset.

How the roles are held:

* **reader**: member of one of the dataset's access groups. Reads drafts and embargoed files,
  edits nothing.
* **owner**: member of the dataset's owner group, or the user who created the record. Edits
  drafts and submits them.
* **curator**: holds ``catalogue.view_all_datasets``: the members of the ``curators`` group
  (every curation permission) and of the ``reviewers`` group (review, no publish, no withdraw),
  both kept in step after ``migrate``. Federated users join them through
  ``PORTAL_OIDC_CURATOR_GROUPS`` / ``PORTAL_OIDC_REVIEWER_GROUPS`` (portal.oidc).
* **admin**: a superuser (holds every permission).
* **review_link** ("reviewer-link holder"): whoever opened a live reviewer link of the dataset
  (``/review/<secret>/``, no account needed). The grant sits on the request's user object
  (``user.review_grants``: dataset id -> grant, set and re-checked against the database on
  every request by :class:`catalogue.reviewlinks.ReviewLinkMiddleware`) and covers exactly that
  one dataset: read the record and its files, nothing else; never lists, never writes.
* ``is_staff`` alone grants nothing on datasets: it only opens the admin site's door.

The visibility rules built from these actions (who sees which status, tombstones, embargo) are
in :mod:`catalogue.access`, the one gate; the lifecycle (:mod:`catalogue.services.lifecycle`)
and the admin ask :func:`user_may` for every move.
"""

from __future__ import annotations

from enum import StrEnum

from django.contrib.auth.models import Group, Permission

CURATORS_GROUP = "curators"
REVIEWERS_GROUP = "reviewers"
# Groups whose membership is granted in the portal (or by PORTAL_OIDC_*_GROUPS), never by a
# same-named group an identity provider happens to send.
MANAGED_GROUPS = (CURATORS_GROUP, REVIEWERS_GROUP)


class Role(StrEnum):
    ANONYMOUS = "anonymous"
    READER = "reader"
    OWNER = "owner"
    CURATOR = "curator"
    ADMIN = "admin"
    REVIEW_LINK = "review_link"  # holds a live reviewer link of this one dataset


class Action(StrEnum):
    VIEW_UNPUBLISHED = "view_unpublished"  # read the record before publication
    VIEW_EMBARGOED_FILES = "view_embargoed_files"  # list, download, preview files under embargo
    VIEW_ALL = "view_all"  # every dataset, every status, withdrawn ones in full
    EDIT = "edit"  # change the metadata and files of an unpublished record
    SUBMIT = "submit"  # submit for review, take a submission back
    REVIEW = "review"  # start a review, request changes, approve
    PUBLISH = "publish"  # publish (mint the DOI)
    WITHDRAW = "withdraw"  # withdraw a published record (tombstone)
    CURATE = "curate"  # the curation pages (Django admin) for datasets
    MANAGE_REVIEW_LINKS = "manage_review_links"  # create, list and revoke reviewer links
    NEW_VERSION = "new_version"  # start a new version (a draft) of a published record


_READ = {Action.VIEW_UNPUBLISHED, Action.VIEW_EMBARGOED_FILES}
_CURATION = {Action.VIEW_ALL, Action.REVIEW, Action.PUBLISH, Action.WITHDRAW, Action.CURATE}

ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ANONYMOUS: frozenset(),
    Role.READER: frozenset(_READ),
    Role.OWNER: frozenset(
        _READ | {Action.EDIT, Action.SUBMIT, Action.MANAGE_REVIEW_LINKS, Action.NEW_VERSION}
    ),
    Role.CURATOR: frozenset(
        _READ
        | _CURATION
        | {Action.EDIT, Action.SUBMIT, Action.MANAGE_REVIEW_LINKS, Action.NEW_VERSION}
    ),
    Role.ADMIN: frozenset(Action),
    # Reads one dataset before publication or under embargo; the gate (catalogue.access)
    # never lets it see a withdrawn record's contents nor list anything.
    Role.REVIEW_LINK: frozenset(_READ),
}

# What a curator must hold in addition to the role (superusers hold every permission).
ACTION_PERMISSIONS: dict[Action, str] = {
    Action.EDIT: "catalogue.change_dataset",
    Action.SUBMIT: "catalogue.change_dataset",
    Action.NEW_VERSION: "catalogue.add_dataset",
    Action.REVIEW: "catalogue.review_dataset",
    Action.PUBLISH: "catalogue.publish_dataset",
    Action.WITHDRAW: "catalogue.withdraw_dataset",
    Action.CURATE: "catalogue.view_dataset",
    # Curators who review (the reviewers group too) may invite outside referees.
    Action.MANAGE_REVIEW_LINKS: "catalogue.review_dataset",
}

# The permission that makes a user a curator (every curation group holds it).
CURATOR_PERMISSION = "catalogue.view_all_datasets"


def _active(user) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def user_group_ids(user) -> set[int]:
    """The user's group ids, read once per user object (requests ask many times)."""
    if not _active(user):
        return set()
    cached = getattr(user, "_portal_group_ids", None)
    if cached is None:
        cached = set(user.groups.values_list("id", flat=True))
        user._portal_group_ids = cached
    return cached


def user_is_admin(user) -> bool:
    return _active(user) and user.is_superuser


def user_is_curator(user) -> bool:
    """Holds the curator role (or is an admin): sees every dataset. ``is_staff`` is not enough."""
    return _active(user) and (user.is_superuser or user.has_perm(CURATOR_PERMISSION))


def user_is_dataset_owner(user, dataset) -> bool:
    """Member of the owner group, or the creator of the record."""
    if not _active(user):
        return False
    if dataset.created_by_id is not None and dataset.created_by_id == user.pk:
        return True
    return dataset.owner_group_id is not None and dataset.owner_group_id in user_group_ids(user)


def user_is_dataset_reader(user, dataset) -> bool:
    """Member of one of the dataset's access groups."""
    groups = user_group_ids(user)
    if not groups or dataset.pk is None:
        return False
    return dataset.access_groups.filter(id__in=groups).exists()


def user_review_grant(user, dataset):
    """The live reviewer-link grant ``user`` holds for ``dataset`` this request, or None.

    Only :class:`catalogue.reviewlinks.ReviewLinkMiddleware` sets ``user.review_grants``, after
    checking the links against the database (revoked or expired links are dropped at once).
    """
    grants = getattr(user, "review_grants", None) if user is not None else None
    if not grants or dataset is None or dataset.pk is None:
        return None
    return grants.get(dataset.pk)


def user_roles(user, dataset=None) -> frozenset[Role]:
    """The roles ``user`` holds: global ones (curator, admin), and on ``dataset`` if given."""
    linked = dataset is not None and user_review_grant(user, dataset) is not None
    if not _active(user):
        return frozenset({Role.ANONYMOUS, Role.REVIEW_LINK} if linked else {Role.ANONYMOUS})
    roles: set[Role] = {Role.REVIEW_LINK} if linked else set()
    if user.is_superuser:
        roles.add(Role.ADMIN)
    if user_is_curator(user):
        roles.add(Role.CURATOR)
    if dataset is not None:
        if user_is_dataset_owner(user, dataset):
            roles.add(Role.OWNER)
        if user_is_dataset_reader(user, dataset):
            roles.add(Role.READER)
    return frozenset(roles)


def user_may(user, action: Action | str, dataset=None) -> bool:
    """May ``user`` do ``action`` (on ``dataset``)? One of the user's roles must allow it; when
    that role is curator, the action's Django permission must be held as well. Dataset *state*
    is not checked here: the lifecycle's transition table and the access gate do that."""
    action = Action(action)
    for role in user_roles(user, dataset):
        if action not in ROLE_ACTIONS[role]:
            continue
        permission = ACTION_PERMISSIONS.get(action) if role == Role.CURATOR else None
        if permission is None or user.has_perm(permission):
            return True
    return False


def user_allowed_actions(user, dataset=None) -> list[Action]:
    """Every action ``user_may`` allows, in table order (profile page, API "what may I do")."""
    return [action for action in Action if user_may(user, action, dataset)]


# ---------------------------------------------------------------- the managed groups
# What each managed group may do in the admin: everything on the catalogue except deleting
# datasets (published records are withdrawn, never deleted) and the context tables' deletion.
CURATOR_PERMISSIONS = {
    "catalogue": {
        "dataset": ["view", "add", "change", "review", "publish", "withdraw", "view_all"],
        "creator": ["view", "add", "change", "delete"],
        "contributor": ["view", "add", "change", "delete"],
        "relatedidentifier": ["view", "add", "change", "delete"],
        "fundingreference": ["view", "add", "change", "delete"],
        "datafile": ["view", "add", "change", "delete"],
        "datasetevent": ["view"],
        "facility": ["view", "add", "change"],
        "instrument": ["view", "add", "change"],
        "technique": ["view"],
        "proposal": ["view", "add", "change"],
        "beamtime": ["view", "add", "change"],
        "metadataschema": ["view", "add", "change"],  # domain-metadata schemas (versions)
    },
    "auth": {"group": ["view"]},
}
# Reviewers: read everything, review; neither publish nor withdraw.
REVIEWER_PERMISSIONS = {
    "catalogue": {
        "dataset": ["view", "review", "view_all"],
        "datafile": ["view"],
        "datasetevent": ["view"],
        "metadataschema": ["view"],
    },
}
GROUP_PERMISSIONS = {CURATORS_GROUP: CURATOR_PERMISSIONS, REVIEWERS_GROUP: REVIEWER_PERMISSIONS}

_CUSTOM = {"review": "review_dataset", "publish": "publish_dataset",
           "withdraw": "withdraw_dataset", "view_all": "view_all_datasets"}  # fmt: skip


def curator_permission_codenames(table: dict | None = None) -> list[tuple[str, str]]:
    pairs = []
    for app_label, models in (table or CURATOR_PERMISSIONS).items():
        for model, actions in models.items():
            for action in actions:
                codename = _CUSTOM.get(action) if model == "dataset" else None
                pairs.append((app_label, codename or f"{action}_{model}"))
    return pairs


def _ensure_group(name: str) -> Group:
    group, _ = Group.objects.get_or_create(name=name)
    wanted = []
    for app_label, codename in curator_permission_codenames(GROUP_PERMISSIONS[name]):
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            wanted.append(perm)
    group.permissions.set(wanted)
    return group


def ensure_curators_group(**kwargs) -> Group:
    """Create (or bring in step) the ``curators`` and ``reviewers`` groups; returns curators."""
    _ensure_group(REVIEWERS_GROUP)
    return _ensure_group(CURATORS_GROUP)
