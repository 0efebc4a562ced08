"""Mark a response as a COUNTER access; :class:`stats.middleware.UsageMiddleware` records it.

Views call :func:`usage_track` with the dataset and the kind of access; nothing is written
while the page is produced. After the response has gone out (its ``close()``), the events are
handed on: appended to the broker's list of waiting events in production, which celery beat's
``stats.flush_events`` stores in batches (:mod:`stats.buffer`); run in-process in the embedded
mode; one ``stats.record_events`` task each with a broker and PORTAL_STATS_FLUSH_SECONDS=0.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone

from stats import identity
from stats.models import Kind
from stats.services import Event, new_event_id

log = logging.getLogger(__name__)
COUNTED_STATUS = (200, 304)  # COUNTER CoP for Research Data §10.1


def usage_track(request: HttpRequest, *, dataset, kind: str = Kind.INVESTIGATION, size: int = 0):
    """This request is an access to ``dataset``: an investigation, or a request (download).

    Only published datasets are counted: reading one's own draft is not usage.
    """
    from catalogue.models import Status

    if not settings.STATS_ENABLED or dataset.status != Status.PUBLISHED:
        return
    marks = request.__dict__.setdefault("_usage_marks", [])
    marks.append((dataset.pk, str(dataset.pid), dataset.version, kind, size))


def _client_ip(request: HttpRequest) -> str:
    # Behind the TLS proxy, nginx passes the client's address (deploy/: X-Real-IP).
    return request.META.get("HTTP_X_REAL_IP") or request.META.get("REMOTE_ADDR", "")


def events_for(request: HttpRequest) -> list[Event]:
    """The events this request's marks stand for, with hashed identities only."""
    marks = getattr(request, "_usage_marks", None)
    if not marks:
        return []
    ua = request.headers.get("User-Agent", "")
    method = identity.access_method_for(ua)
    if method is None:  # a robot: excluded (§10.5)
        return []
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    who = identity.visitor_identity(
        user_id=user.pk if user is not None and user.is_authenticated else None,
        session_key=session.session_key if session is not None else None,
        ip=_client_ip(request),
        ua=ua,
    )
    now = timezone.now()
    salt = identity.salt_of(now.date())
    session_id = identity.session_id(salt=salt, identity=who, at=now)
    events: list[Event] = []
    seen: set[tuple[int, str]] = set()
    for dataset_id, pid, version, kind, size in marks:
        # Every request is also an investigation (CoP §3.3.3).
        kinds = [Kind.REQUEST, Kind.INVESTIGATION] if kind == Kind.REQUEST else [kind]
        for k in kinds:
            if (dataset_id, k) in seen:
                continue
            seen.add((dataset_id, k))
            events.append(
                Event(
                    event_id=new_event_id(),
                    dataset_id=dataset_id,
                    version=version,
                    kind=str(k),
                    access_method=str(method),
                    at=now,
                    session_id=session_id,
                    click_id=identity.click_id(salt=salt, identity=who, dataset_pid=pid, kind=k),
                    size=size if k == Kind.REQUEST else 0,
                )
            )
    return events


def dispatch(events: list[Event]) -> None:
    """Hand events on; statistics never break a response, so failures are logged."""
    from stats import buffer
    from stats.tasks import record_events

    payload = [e.as_task_arg() for e in events]
    try:
        if settings.CELERY_TASK_ALWAYS_EAGER:
            record_events(payload)
        elif buffer.enabled():
            buffer.append(payload)
        else:
            record_events.delay(payload)
    except Exception:
        log.exception("Could not record %d usage event(s)", len(events))


def record_after_response(request: HttpRequest, response: HttpResponseBase) -> None:
    if response.status_code not in COUNTED_STATUS:
        return
    try:
        events = events_for(request)
    except Exception:
        log.exception("Could not build usage events")
        return
    if events:
        # Runs when the server closes the response, i.e. after the last byte was sent.
        response._resource_closers.append(lambda: dispatch(events))
