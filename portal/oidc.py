"""Federated login with mozilla-django-oidc.

Facilities keep proposal and beamtime membership in their identity provider; the groups claim
becomes the user's Django groups, which is what the access gate reads (owner/access groups).
"""

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Group
from mozilla_django_oidc.auth import OIDCAuthenticationBackend


def groups_from_claims(claims: dict, claim: str) -> list[str]:
    """The group names in an OIDC claims dict: a list, or a comma/space separated string."""
    value = claims.get(claim) or []
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    names = {str(v).strip().lstrip("/") for v in value if str(v).strip()}
    return sorted(n for n in names if n)


class PortalOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        self._sync(user, claims)
        return user

    def update_user(self, user, claims):
        self._sync(user, claims)
        return user

    def _sync(self, user, claims) -> None:
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        names: Iterable[str] = groups_from_claims(claims, settings.OIDC_GROUPS_CLAIM)
        # Only groups that exist in the portal (created for owner/access groups) are joined;
        # the identity provider's other groups are ignored. The curators group is never
        # granted from claims: curation rights are given in the portal.
        groups = list(Group.objects.filter(name__in=names).exclude(name="curators"))
        groups += list(user.groups.filter(name="curators"))
        user.groups.set(groups)
