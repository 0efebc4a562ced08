"""Federated log-in with mozilla-django-oidc: token checks, matching on ``sub``, group mapping.

* ID tokens: signature against the provider's JWKS (RS256 by default; ``alg: none`` and any
  other algorithm are refused), ``exp``/``iat``, ``nonce``, ``aud`` (must name our client id;
  ``azp`` too when there are several audiences) and ``iss`` (against ``PORTAL_OIDC_OP_ISSUER``
  when set): OpenID Connect Core 1.0 §3.1.3.7.
* Users are matched on (issuer, ``sub``) through :class:`portal.models.FederatedIdentity`,
  never on e-mail: a new ``sub`` with a known e-mail address gets its own account.
* Groups come from the claims at every log-in (:func:`map_groups`, a pure function): a lost
  entitlement removes the membership the provider granted.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from fnmatch import fnmatchcase

import jwt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from catalogue.roles import CURATORS_GROUP, MANAGED_GROUPS, REVIEWERS_GROUP
from portal.models import FederatedIdentity

logger = logging.getLogger(__name__)

GROUP_NAME_MAX = 150  # django.contrib.auth Group.name

# AARC-G002 / AARC-G069: <namespace>:group:<group>[:<subgroup>...][:role=<role>]#<authority>,
# e.g. urn:geant:helmholtz.de:group:DESY:proposal-11012345#login.helmholtz.de
_ENTITLEMENT = re.compile(
    r"^(?P<namespace>urn:[^#]+?):group:(?P<path>[^#]+?)(?::role=(?P<role>[^#:]+))?"
    r"(?:#(?P<authority>[^#]+))?$"
)


def group_from_entitlement(value: str) -> str | None:
    """The portal group an AARC-G002/G069 group entitlement names (its ``:``-separated path),
    or None for a URN that is not a group entitlement."""
    match = _ENTITLEMENT.match(value.strip())
    if match is None:
        return None
    path = match.group("path").strip(":")
    return path or None


def group_names_from_claims(claims: dict, claim_names: list[str] | str) -> list[str]:
    """Every group name the claims carry, sorted and without duplicates.

    A URN value is read as an entitlement (:func:`group_from_entitlement`; other URNs are
    ignored); any other value is a plain group name, without the leading ``/`` of Keycloak's
    group paths. A claim may be a list or a comma/space separated string.
    """
    if isinstance(claim_names, str):
        claim_names = [c.strip() for c in claim_names.split(",") if c.strip()]
    names: set[str] = set()
    for claim in claim_names:
        value = claims.get(claim) or []
        if isinstance(value, str):
            value = value.replace(",", " ").split()
        if not isinstance(value, list | tuple):
            continue
        for item in value:
            if not isinstance(item, str) or not item.strip():
                continue
            item = item.strip()
            name = group_from_entitlement(item) if item.lower().startswith("urn:") else item
            name = (name or "").lstrip("/")
            if name and len(name) <= GROUP_NAME_MAX:
                names.add(name)
    return sorted(names)


# Kept for callers of the first version of this module.
def groups_from_claims(claims: dict, claim: str) -> list[str]:
    return group_names_from_claims(claims, [claim])


@dataclass(frozen=True)
class GroupDecision:
    """What one log-in's claims mean for the user's portal groups."""

    join: frozenset[str]  # ordinary portal groups to hold (existing or to be created)
    create: frozenset[str]  # the part of ``join`` that does not exist yet
    curator: bool  # a PORTAL_OIDC_CURATOR_GROUPS group was named
    reviewer: bool  # a PORTAL_OIDC_REVIEWER_GROUPS group was named
    ignored: frozenset[str]  # named, but neither existing nor allowed by a pattern

    @property
    def provider_groups(self) -> frozenset[str]:
        """Every portal group the provider grants, the curation groups included."""
        extra = {CURATORS_GROUP} if self.curator else set()
        if self.reviewer:
            extra.add(REVIEWERS_GROUP)
        return self.join | extra


def map_groups(
    *,
    names: list[str],
    existing: set[str],
    patterns: list[str],
    curator_groups: list[str],
    reviewer_groups: list[str],
) -> GroupDecision:
    """The pure mapping from the provider's group names to portal groups (issue 11 §3).

    * A name that exists as a portal group is joined; one that matches a shell-style pattern
      of ``PORTAL_OIDC_GROUP_PATTERNS`` is created on first sight; others are ignored.
    * ``curators`` and ``reviewers`` are never joined because a provider sent that name: only
      ``PORTAL_OIDC_CURATOR_GROUPS`` / ``PORTAL_OIDC_REVIEWER_GROUPS`` grant them, whether or
      not the listed group exists in the portal.
    """
    named = set(names)
    join: set[str] = set()
    create: set[str] = set()
    ignored: set[str] = set()
    for name in named:
        if name in MANAGED_GROUPS:
            ignored.add(name)
        elif name in existing:
            join.add(name)
        elif any(fnmatchcase(name, pattern) for pattern in patterns):
            join.add(name)
            create.add(name)
        else:
            ignored.add(name)
    return GroupDecision(
        join=frozenset(join),
        create=frozenset(create),
        curator=bool(named & set(curator_groups)),
        reviewer=bool(named & set(reviewer_groups)),
        ignored=frozenset(ignored - set(curator_groups) - set(reviewer_groups)),
    )


_USERNAME_CHARS = re.compile(r"[^\w.@+-]")


def _free_username(*, claims: dict, issuer: str, subject: str) -> str:
    """A username for a new federated account that never takes over a local one."""
    user_model = get_user_model()
    base = claims.get("preferred_username") or (claims.get("email") or "").split("@")[0]
    base = _USERNAME_CHARS.sub("", str(base))[:100] or "user"
    if not user_model.objects.filter(username__iexact=base).exists():
        return base
    digest = hashlib.sha256(f"{issuer} {subject}".encode()).hexdigest()
    for length in (6, 10, 16, 64):
        candidate = f"{base}-{digest[:length]}"
        if not user_model.objects.filter(username__iexact=candidate).exists():
            return candidate
    raise SuspiciousOperation("No free username for this identity.")


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend with the checks and the matching the portal needs."""

    # ------------------------------------------------------------ token checks
    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The ID token is not a JWT: {exc}") from exc
        if header.get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The ID token is signed with {header.get('alg')!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=getattr(settings, "OIDC_OP_ISSUER", "") or None,
                options={"require": ["exp", "iat", "sub", "aud", "iss"]},
                leeway=getattr(settings, "OIDC_CLOCK_LEEWAY", 30),
            )
        except jwt.PyJWTError as exc:  # expired, wrong audience/issuer, bad signature...
            raise SuspiciousOperation(f"The ID token was refused: {exc}") from exc

    def verify_token(self, token, **kwargs):
        # The algorithm first: ``alg: none`` or HS256 are refused before any key is looked up.
        try:
            alg = jwt.get_unverified_header(token).get("alg")
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"The token is not a JWT: {exc}") from exc
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"The token is signed with {alg!r}, not {self.OIDC_RP_SIGN_ALGO}."
            )
        payload = super().verify_token(token, **kwargs)
        aud = payload.get("aud")
        if isinstance(aud, list) and len(aud) > 1 and payload.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SuspiciousOperation("The ID token was issued to another party (azp).")
        return payload

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except (KeyError, jwt.PyJWTError) as exc:
            raise SuspiciousOperation(f"No matching key in the provider's JWKS: {exc}") from exc

    # ------------------------------------------------------------ users
    def filter_users_by_claims(self, claims):
        """Never by e-mail: see get_or_create_user."""
        return self.UserModel.objects.none()

    def verify_claims(self, claims):
        return bool(claims.get("sub"))

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload.get("sub"):
            # OpenID Connect Core 1.0 §5.3.2: the UserInfo sub must equal the ID token's.
            raise SuspiciousOperation("The provider's user info names another subject.")
        claims = {**payload, **userinfo}
        issuer = getattr(settings, "OIDC_OP_ISSUER", "") or payload.get("iss", "")
        return self.user_for_claims(claims=claims, issuer=issuer)

    def user_for_claims(self, *, claims: dict, issuer: str):
        """The user linked to (issuer, sub), created on first log-in, groups brought in step."""
        subject = str(claims.get("sub") or "")
        if not subject or not issuer:
            raise SuspiciousOperation("The provider sent no subject or no issuer.")
        for _attempt in range(2):  # two first log-ins at once: the loser reads the winner's row
            try:
                with transaction.atomic():
                    identity = (
                        FederatedIdentity.objects.select_for_update()
                        .select_related("user")
                        .filter(issuer=issuer, subject=subject)
                        .first()
                    )
                    if identity is None:
                        identity = self._create_identity(
                            claims=claims, issuer=issuer, subject=subject
                        )
                    user = identity.user
                    if not user.is_active:
                        logger.info("OIDC log-in refused: user %s is inactive", user.pk)
                        return None
                    self._update(user=user, identity=identity, claims=claims)
                    return user
            except IntegrityError:
                continue
        raise SuspiciousOperation("The identity could not be linked; try again.")

    def _create_identity(self, *, claims: dict, issuer: str, subject: str) -> FederatedIdentity:
        username = _free_username(claims=claims, issuer=issuer, subject=subject)
        email = str(claims.get("email") or "")[:254]
        # The address stays on the identity; the account gets it only if no other account
        # has it, so an e-mail log-in (allauth) never finds two accounts.
        taken = email and self.UserModel.objects.filter(email__iexact=email).exists()
        user = self.UserModel.objects.create_user(username, email="" if taken else email)
        user.set_unusable_password()
        user.save(update_fields=["password"])
        return FederatedIdentity.objects.create(user=user, issuer=issuer, subject=subject)

    def _update(self, *, user, identity: FederatedIdentity, claims: dict) -> None:
        user.first_name = str(claims.get("given_name") or user.first_name)[:150]
        user.last_name = str(claims.get("family_name") or user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        decision = self.group_decision(claims)
        for name in decision.create:
            Group.objects.get_or_create(name=name)
        granted = set(decision.provider_groups)
        lost = set(identity.provider_groups) - granted
        if lost:
            user.groups.remove(*Group.objects.filter(name__in=lost))
        if granted:
            user.groups.add(*Group.objects.filter(name__in=granted))
        user.__dict__.pop("_portal_group_ids", None)
        for cache in ("_perm_cache", "_group_perm_cache", "_user_perm_cache"):
            user.__dict__.pop(cache, None)
        identity.provider_groups = sorted(granted)
        identity.email = str(claims.get("email") or "")[:254]
        identity.last_login_at = timezone.now()
        identity.save(update_fields=["provider_groups", "email", "last_login_at"])
        if decision.ignored:
            logger.info("OIDC groups ignored for %s: %s", user.pk, sorted(decision.ignored))

    @staticmethod
    def group_decision(claims: dict) -> GroupDecision:
        names = group_names_from_claims(claims, settings.OIDC_GROUPS_CLAIM)
        return map_groups(
            names=names,
            existing=set(Group.objects.filter(name__in=names).values_list("name", flat=True)),
            patterns=settings.OIDC_GROUP_PATTERNS,
            curator_groups=settings.OIDC_CURATOR_GROUPS,
            reviewer_groups=settings.OIDC_REVIEWER_GROUPS,
        )
