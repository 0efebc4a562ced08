"""The ``curators`` group and the permissions curators need (kept in step after migrate)."""

from django.contrib.auth.models import Group, Permission

from catalogue.access import CURATORS_GROUP

# What curators may do in the admin: everything on the catalogue except deleting datasets
# (published records are withdrawn, never deleted) and the context tables' deletion.
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
    },
    "auth": {"group": ["view"]},
}

_CUSTOM = {"review": "review_dataset", "publish": "publish_dataset",
           "withdraw": "withdraw_dataset", "view_all": "view_all_datasets"}  # fmt: skip


def curator_permission_codenames() -> list[tuple[str, str]]:
    pairs = []
    for app_label, models in CURATOR_PERMISSIONS.items():
        for model, actions in models.items():
            for action in actions:
                codename = _CUSTOM.get(action) if model == "dataset" else None
                pairs.append((app_label, codename or f"{action}_{model}"))
    return pairs


def ensure_curators_group(**kwargs) -> Group:
    group, _ = Group.objects.get_or_create(name=CURATORS_GROUP)
    wanted = []
    for app_label, codename in curator_permission_codenames():
        perm = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if perm is not None:
            wanted.append(perm)
    group.permissions.set(wanted)
    return group
