"""COUNTER Research Data SUSHI: the Dataset Report (DSR) as JSON, as a pure function.

The format is the Research Data SUSHI API's (COUNTER CoP for Research Data §8 and §11,
release "rd1"), which Counter Processor writes and DataCite's usage hub (Make Data Count)
validates with ``lib/sushi_schema/sushi_usage_schema.json``; tests check our output against a
copy of that schema (tests/data/counter/).
"""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass, field

RELEASE = "rd1"
METRIC_TYPES = (
    ("investigations_total", "total-dataset-investigations"),
    ("investigations_unique", "unique-dataset-investigations"),
    ("requests_total", "total-dataset-requests"),
    ("requests_unique", "unique-dataset-requests"),
)


class InvalidDates(ValueError):
    """SUSHI exception 3020, "Invalid Date Arguments"."""

    code = 3020


@dataclass(frozen=True)
class ReportDataset:
    title: str
    doi: str | None
    pid: str
    uri: str
    publisher: str
    yop: int | None
    published: datetime.date | None
    creators: tuple[tuple[str, str], ...] = ()  # (name, bare ORCID or "")
    # month (first day) -> access method -> metric name -> count
    months: dict[datetime.date, dict[str, dict[str, int]]] = field(default_factory=dict)


def parse_period(begin: str | None, end: str | None) -> tuple[datetime.date, datetime.date]:
    """SUSHI's begin_date/end_date: ``yyyy-mm`` or ``yyyy-mm-dd``; whole months reported."""
    if not begin or not end:
        raise InvalidDates("Both begin and end are required (yyyy-mm or yyyy-mm-dd).")
    try:
        first = _parse(begin, start=True)
        last = _parse(end, start=False)
    except ValueError as exc:
        raise InvalidDates(f"Dates are yyyy-mm or yyyy-mm-dd: {exc}") from exc
    if last < first:
        raise InvalidDates("end is before begin.")
    return first.replace(day=1), last.replace(day=calendar.monthrange(last.year, last.month)[1])


def _parse(value: str, *, start: bool) -> datetime.date:
    value = value.strip()
    if len(value) == 7:
        year, month = (int(p) for p in value.split("-"))
        day = 1 if start else calendar.monthrange(year, month)[1]
        return datetime.date(year, month, day)
    return datetime.date.fromisoformat(value)


def _month_end(month: datetime.date) -> datetime.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _instances(per_method: dict[str, dict[str, int]]) -> list[dict]:
    instances = []
    for method in ("regular", "machine"):
        metrics = per_method.get(method) or {}
        for key, metric_type in METRIC_TYPES:
            count = int(metrics.get(key) or 0)
            if count:  # Counter Processor leaves out zero counts too
                instances.append(
                    {"count": count, "metric-type": metric_type, "access-method": method}
                )
    return instances


def dataset_item(
    item: ReportDataset, *, platform: str, publisher_id: tuple[str, str] | None
) -> dict:
    ids = [{"type": "doi", "value": item.doi}] if item.doi else []
    ids.append({"type": "proprietary", "value": item.pid})
    body: dict = {
        "dataset-id": ids,
        "dataset-title": item.title,
        "data-type": "dataset",
        "yop": f"{item.yop:04d}" if item.yop else "0001",  # "0001" for unknown (schema)
        "uri": item.uri,
        "platform": platform,
        "publisher": item.publisher or platform,
        "publisher-id": [{"type": publisher_id[0], "value": publisher_id[1]}]
        if publisher_id
        else [],
        "dataset-contributors": [
            {"type": "orcid", "value": orcid} if orcid else {"type": "name", "value": name}
            for name, orcid in item.creators
        ],
        "dataset-dates": (
            [{"type": "pub-date", "value": item.published.isoformat()}] if item.published else []
        ),
        "performance": [],
    }
    for month in sorted(item.months):
        instances = _instances(item.months[month])
        if instances:
            body["performance"].append(
                {
                    "period": {
                        "begin-date": month.isoformat(),
                        "end-date": _month_end(month).isoformat(),
                    },
                    "instance": instances,
                }
            )
    return body


def dataset_report(
    items: list[ReportDataset],
    *,
    begin: datetime.date,
    end: datetime.date,
    created: datetime.datetime,
    created_by: str,
    platform: str,
    publisher_id: tuple[str, str] | None = None,
) -> dict:
    """The whole report: ``report-header`` and ``report-datasets`` (datasets with usage)."""
    datasets = [dataset_item(i, platform=platform, publisher_id=publisher_id) for i in items]
    return {
        "report-header": {
            "report-name": "dataset report",
            "report-id": "DSR",
            "release": RELEASE,
            "created": created.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "created-by": created_by,
            "reporting-period": {"begin-date": begin.isoformat(), "end-date": end.isoformat()},
            "report-filters": [
                {"name": "begin-date", "value": begin.isoformat()},
                {"name": "end-date", "value": end.isoformat()},
            ],
            "report-attributes": [],
            "exceptions": [],
        },
        "report-datasets": [d for d in datasets if d["performance"]],
    }
