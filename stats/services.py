"""The one writer of usage statistics: store events, then aggregate a dataset's month.

Aggregation recomputes a (dataset, month) from its events, so it is idempotent, does not
depend on the order events arrive in, and a retried task changes nothing.
"""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError

from stats.models import DatasetUsageMonth, Kind, UsageEvent


@dataclass(frozen=True)
class Event:
    """One access of one kind, as the web process hands it over (no raw identity in it)."""

    event_id: str
    dataset_id: int
    version: str
    kind: str
    access_method: str
    at: datetime.datetime
    session_id: str
    click_id: str
    size: int = 0

    def as_task_arg(self) -> dict:
        return {**self.__dict__, "at": self.at.isoformat()}

    @classmethod
    def from_task_arg(cls, data: dict) -> Event:
        return cls(**{**data, "at": datetime.datetime.fromisoformat(data["at"])})


def new_event_id() -> str:
    return str(uuid.uuid4())


def month_of(at: datetime.datetime) -> datetime.date:
    return at.astimezone(datetime.UTC).date().replace(day=1)


def without_double_clicks(
    clicks: Iterable[tuple[str, datetime.datetime]], *, window: int | None = None
) -> list[tuple[str, datetime.datetime]]:
    """COUNTER CoP for Research Data §10.2, as a pure function over (click_id, at) pairs.

    Two accesses with the same click id within ``window`` seconds count once: "the first
    request MUST be removed and the second retained", and any further access within the
    window of the one before it is treated the same way (so 10:01:00, 10:01:29, 10:01:35 is
    one action: each is within 30 s of the next). Counter Processor does the same
    (``de_double_click``).
    """
    seconds = settings.STATS_DOUBLE_CLICK_SECONDS if window is None else window
    limit = datetime.timedelta(seconds=seconds)
    ordered = sorted(clicks)
    kept = []
    for i, (key, at) in enumerate(ordered):
        following = ordered[i + 1] if i + 1 < len(ordered) else None
        if following is not None and following[0] == key and following[1] - at <= limit:
            continue
        kept.append((key, at))
    return kept


_FIELDS = (
    "investigations_total",
    "investigations_unique",
    "requests_total",
    "requests_unique",
    "volume",
)


def usage_events_record(*, events: list[Event]) -> int:
    """Store events (a repeated event id is ignored) and re-aggregate the months they touch."""
    rows = [
        UsageEvent(
            event_id=e.event_id,
            dataset_id=e.dataset_id,
            version=e.version,
            kind=e.kind,
            access_method=e.access_method,
            at=e.at,
            month=month_of(e.at),
            session_id=e.session_id,
            click_id=e.click_id,
            size=e.size,
        )
        for e in events
    ]
    try:
        # One statement; a repeated event id is skipped. Outside a transaction (the task),
        # the foreign key is checked as it commits.
        UsageEvent.objects.bulk_create(rows, ignore_conflicts=True)
    except IntegrityError:  # a dataset was deleted meanwhile: count the others
        from catalogue.models import Dataset

        ids = {r.dataset_id for r in rows}
        existing = set(Dataset.objects.filter(id__in=ids).values_list("id", flat=True))
        rows = [r for r in rows if r.dataset_id in existing]
        UsageEvent.objects.bulk_create(rows, ignore_conflicts=True)
    for dataset_id, month in sorted({(r.dataset_id, r.month) for r in rows}):
        usage_month_aggregate(dataset_id=dataset_id, month=month)
    return len(rows)


def usage_month_aggregate(*, dataset_id: int, month: datetime.date) -> None:
    """Recompute the COUNTER metrics of one dataset's month from its events."""
    events = UsageEvent.objects.filter(dataset_id=dataset_id, month=month).values_list(
        "version", "access_method", "kind", "click_id", "at", "session_id", "size"
    )
    groups: dict[tuple[str, str, str], list] = defaultdict(list)
    for version, method, kind, click, at, session, size in events:
        groups[(version, method, kind)].append((click, at, session, size))
    totals: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for (version, method, kind), rows in groups.items():
        by_click = {(click, at): (session, size) for click, at, session, size in rows}
        kept = without_double_clicks(by_click)
        metrics = totals[(version, method)]
        prefix = "requests" if kind == Kind.REQUEST else "investigations"
        metrics[f"{prefix}_total"] = len(kept)
        metrics[f"{prefix}_unique"] = len({by_click[k][0] for k in kept})
        if kind == Kind.REQUEST:
            metrics["volume"] = sum(by_click[k][1] for k in kept)
    # One upsert. Rows are never stale: an event keeps its version and month, and months
    # whose events were pruned are final and never aggregated again.
    DatasetUsageMonth.objects.bulk_create(
        [
            DatasetUsageMonth(
                dataset_id=dataset_id,
                version=version,
                month=month,
                access_method=method,
                **{m: metrics.get(m, 0) for m in _FIELDS},
            )
            for (version, method), metrics in totals.items()
        ],
        update_conflicts=True,
        unique_fields=["dataset", "version", "month", "access_method"],
        update_fields=list(_FIELDS),
    )


def usage_events_prune(*, before: datetime.date) -> int:
    """Delete events of months before ``before`` (their aggregates are final)."""
    deleted, _ = UsageEvent.objects.filter(month__lt=before).delete()
    return deleted
