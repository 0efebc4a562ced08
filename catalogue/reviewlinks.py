"""Reviewer links on the request: the session grant, its re-check, the use log, the headers.

Why a session grant and not URLs under ``/review/<secret>/…``: the record page, its file
downloads, manifests, the ZIP and the HDF5 viewer's h5grove calls all live on their normal URLs
(built by one links module and by H5Web itself); rewriting every one of them per visitor would
be a second set of routes to keep in step with the gate. Instead ``/review/<secret>/`` checks
the secret, puts the link's id into the visitor's session (server-side, so it cannot be forged
or widened) and redirects to the record page, so the secret leaves the address bar at once.

On every request :class:`ReviewLinkMiddleware` re-reads the session's link ids against the
database (one indexed query, only for sessions that hold links): revoked or expired links are
dropped there and then, and the live ones become ``request.user.review_grants`` (dataset id ->
:class:`ReviewGrant`), which the role table (``Role.REVIEW_LINK``) and the one gate
(catalogue.access) read. A grant covers exactly its link's dataset. When the gate honoured a
grant, the response gets ``X-Robots-Tag: noindex`` and ``Referrer-Policy: no-referrer`` and the
use is logged after the response was sent (kind of path, daily-salted visitor hash, no address).
"""

from __future__ import annotations

import dataclasses
import logging
from dataclasses import dataclass

from django.http import HttpRequest
from rest_framework.authentication import BaseAuthentication

from catalogue.models import ReviewLinkUse
from catalogue.snapshot import DatasetSnapshot

log = logging.getLogger(__name__)

SESSION_KEY = "portal_review_links"  # the link ids this browser opened, newest last
MAX_LINKS_PER_SESSION = 20
NO_INDEX_HEADERS = {"X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer"}


@dataclass
class ReviewGrant:
    link_id: int
    dataset_id: int
    anonymous: bool
    used: bool = False  # set by the gate when it opened something through this grant


def grants_from_rows(rows) -> dict[int, ReviewGrant]:
    """dataset id -> grant; of two links of one dataset the one showing names wins."""
    grants: dict[int, ReviewGrant] = {}
    for link_id, dataset_id, anonymous in rows:
        known = grants.get(dataset_id)
        if known is None or (known.anonymous and not anonymous):
            grants[dataset_id] = ReviewGrant(link_id, dataset_id, anonymous)
    return grants


def session_link_ids(request: HttpRequest) -> list[int]:
    session = getattr(request, "session", None)
    if session is None:
        return []
    ids = session.get(SESSION_KEY)
    return [i for i in ids if isinstance(i, int)] if isinstance(ids, list) else []


def session_add_link(request: HttpRequest, link_id: int) -> None:
    ids = [i for i in session_link_ids(request) if i != link_id] + [link_id]
    request.session[SESSION_KEY] = ids[-MAX_LINKS_PER_SESSION:]


# url name (namespace:name) -> the kind of path a use was
_KINDS = {
    "catalogue:dataset-detail": ReviewLinkUse.Kind.PAGE,
    "landing:landing": ReviewLinkUse.Kind.PAGE,
    "catalogue:file-download": ReviewLinkUse.Kind.FILE,
    "catalogue:dataset-zip": ReviewLinkUse.Kind.ARCHIVE,
    "landing:manifest": ReviewLinkUse.Kind.MANIFEST,
    "landing:export": ReviewLinkUse.Kind.EXPORT,
    "landing:linkset": ReviewLinkUse.Kind.EXPORT,
    "landing:linkset-json": ReviewLinkUse.Kind.EXPORT,
}


def use_kind(request: HttpRequest) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return ReviewLinkUse.Kind.OTHER
    name = match.view_name
    if name in _KINDS:
        return _KINDS[name]
    if name.startswith("catalogue:h5grove"):
        return ReviewLinkUse.Kind.PREVIEW
    if name.startswith("api:"):
        return ReviewLinkUse.Kind.API
    return ReviewLinkUse.Kind.OTHER


def visitor_hash(request: HttpRequest) -> str:
    """The COUNTER-style surrogate session id (stats.identity): daily salt, no address kept."""
    from django.utils import timezone

    from stats import identity
    from stats.tracking import _client_ip

    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    who = identity.visitor_identity(
        user_id=user.pk if user is not None and user.is_authenticated else None,
        session_key=session.session_key if session is not None else None,
        ip=_client_ip(request),
        ua=request.headers.get("User-Agent", ""),
    )
    now = timezone.now()
    return identity.session_id(salt=identity.salt_of(now.date()), identity=who, at=now)


def log_uses_after_response(request: HttpRequest, response, uses: list[tuple[int, str]]) -> None:
    """Write the use log once the response has gone out (like the COUNTER events)."""
    from catalogue.services.review_links import review_link_uses_record

    try:
        visitor = visitor_hash(request)
    except Exception:  # statistics' salt table unavailable: log the use without a visitor
        log.exception("Could not hash the reviewer-link visitor")
        visitor = ""

    def record():
        try:
            review_link_uses_record(uses=uses, visitor=visitor)
        except Exception:
            log.exception("Could not log %d reviewer-link use(s)", len(uses))

    response._resource_closers.append(record)


class ReviewLinkMiddleware:
    """After AuthenticationMiddleware: turn the session's live links into the user's grants."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from catalogue.services.review_links import review_links_active

        ids = session_link_ids(request)
        grants: dict[int, ReviewGrant] = {}
        if ids:
            rows = review_links_active(ids)
            live = [row[0] for row in rows]
            if sorted(live) != sorted(ids):  # revoked or expired since: forget them now
                request.session[SESSION_KEY] = [i for i in ids if i in live]
            grants = grants_from_rows(rows)
            if grants:
                request.user.review_grants = grants
        response = self.get_response(request)
        used = [g for g in grants.values() if g.used]
        if used:
            for name, value in NO_INDEX_HEADERS.items():
                response[name] = value
            if response.status_code < 400:
                kind = use_kind(request)
                log_uses_after_response(request, response, [(g.link_id, kind) for g in used])
        return response


class ReviewLinkAuthentication(BaseAuthentication):
    """DRF: keep the grants of a visitor without an account (DRF would otherwise replace the
    anonymous user with a fresh one). Last in the list; the visitor stays unauthenticated, so
    every write is still a 401 (portal.tokens.WriteScope)."""

    def authenticate(self, request):
        user = getattr(request._request, "user", None)
        if user is None or user.is_authenticated or not getattr(user, "review_grants", None):
            return None
        return user, None


def snapshot_names_hidden(snapshot: DatasetSnapshot) -> DatasetSnapshot:
    """The record as a double-blind reviewer sees it: no creators, contributors, proposal PI
    or funding (award titles and numbers name people); the owner group is never on a page."""
    proposal = snapshot.proposal
    if proposal is not None:
        proposal = dataclasses.replace(proposal, principal_investigator="")
    return dataclasses.replace(
        snapshot, creators=(), contributors=(), funding_references=(), proposal=proposal
    )
