"""``/accounts/profile/``: who am I here: groups, roles, linked identities (and API tokens)."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from catalogue.roles import ACTION_PERMISSIONS, Role, user_allowed_actions, user_roles

# What people read for each role and action (the table itself is catalogue.roles).
ROLE_LABELS = {
    Role.ADMIN: _("Administrator: may do everything"),
    Role.CURATOR: _("Curator: sees every dataset"),
}
ACTION_LABELS = {
    "view_all": _("see every dataset"),
    "review": _("review submissions"),
    "publish": _("publish (mint DOIs)"),
    "withdraw": _("withdraw published records"),
    "edit": _("edit records"),
    "curate": _("use the curation pages"),
}


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user = request.user
    groups = (
        user.groups.annotate(
            owned=Count("owned_datasets", distinct=True),
            shared=Count("shared_datasets", distinct=True),
        )
        .order_by("name")
        .values("name", "owned", "shared")
    )
    roles = [ROLE_LABELS[r] for r in (Role.ADMIN, Role.CURATOR) if r in user_roles(user)]
    curation = [
        ACTION_LABELS[a.value]
        for a in user_allowed_actions(user)
        if a.value in ACTION_LABELS and (a in ACTION_PERMISSIONS or a.value == "view_all")
    ]
    return render(
        request,
        "account/profile.html",
        {
            "groups": list(groups),
            "roles": roles,
            "curation": curation,
            "identities": list(user.federated_identities.order_by("issuer")),
            "has_password": user.has_usable_password(),
        },
    )
