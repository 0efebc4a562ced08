"""Reads of the usage statistics: per dataset (page, API), site-wide, and for the report."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Sum

from stats.models import AccessMethod, DatasetUsageMonth

METRICS = ("investigations_total", "investigations_unique", "requests_total", "requests_unique")


@dataclass
class Usage:
    """Human (regular) counts in the totals, machine counts apart (COUNTER Access_Method)."""

    regular: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))
    machine: dict[str, int] = field(default_factory=lambda: dict.fromkeys(METRICS, 0))

    def add(self, method: str, row: dict) -> None:
        target = self.machine if method == AccessMethod.MACHINE else self.regular
        for m in METRICS:
            target[m] += row.get(m) or 0

    @staticmethod
    def _block(counts: dict[str, int]) -> dict:
        return {
            "investigations": {
                "total": counts["investigations_total"],
                "unique": counts["investigations_unique"],
            },
            "requests": {"total": counts["requests_total"], "unique": counts["requests_unique"]},
        }

    def as_json(self) -> dict:
        return {**self._block(self.regular), "machine": self._block(self.machine)}

    @property
    def views(self) -> int:
        return self.regular["investigations_total"]

    @property
    def downloads(self) -> int:
        return self.regular["requests_total"]

    @property
    def unique_views(self) -> int:
        return self.regular["investigations_unique"]

    @property
    def unique_downloads(self) -> int:
        return self.regular["requests_unique"]

    @property
    def any(self) -> bool:
        return any(self.regular.values()) or any(self.machine.values())


@dataclass
class UsageReport:
    total: Usage
    by_month: list[tuple[datetime.date, Usage]]

    def as_json(self) -> dict:
        return {
            **self.total.as_json(),
            "by_month": [
                {"month": month.strftime("%Y-%m"), **usage.as_json()}
                for month, usage in self.by_month
            ],
        }


def _report(queryset) -> UsageReport:
    rows = (
        queryset.values("month", "access_method")
        .annotate(**{m: Sum(m) for m in METRICS})
        .order_by("month")
    )
    total = Usage()
    months: dict[datetime.date, Usage] = defaultdict(Usage)
    for row in rows:
        total.add(row["access_method"], row)
        months[row["month"]].add(row["access_method"], row)
    return UsageReport(total=total, by_month=sorted(months.items()))


def dataset_usage(*, dataset_id: int) -> UsageReport:
    """All months of one dataset (every version), human and machine apart."""
    return _report(DatasetUsageMonth.objects.filter(dataset_id=dataset_id))


def site_usage(*, dataset_queryset) -> UsageReport:
    """Usage of the datasets in ``dataset_queryset`` (the public catalogue)."""
    return _report(DatasetUsageMonth.objects.filter(dataset__in=dataset_queryset))


def top_datasets(*, dataset_queryset, limit: int = 10) -> list[dict]:
    """The most viewed datasets (human investigations), with their downloads."""
    return list(
        DatasetUsageMonth.objects.filter(
            dataset__in=dataset_queryset, access_method=AccessMethod.REGULAR
        )
        .values("dataset_id", "dataset__pid", "dataset__title", "dataset__doi")
        .annotate(views=Sum("investigations_total"), downloads=Sum("requests_total"))
        .order_by("-views", "-downloads", "dataset_id")[:limit]
    )


def last_months(report: UsageReport, *, count: int = 12, today: datetime.date) -> list[dict]:
    """The last ``count`` months up to ``today``, zeros included: the chart's bars."""
    by_month = dict(report.by_month)
    first = today.replace(day=1)
    months = []
    year, month = first.year, first.month
    for _ in range(count):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    months.reverse()
    bars = []
    for m in months:
        usage = by_month.get(m, Usage())
        bars.append({"month": m, "views": usage.views, "downloads": usage.downloads})
    return bars


def month_rows(*, begin: datetime.date, end: datetime.date, dataset_queryset) -> list[dict]:
    """Per dataset, month and access method: the sums over versions, for the DSR."""
    return list(
        DatasetUsageMonth.objects.filter(
            dataset__in=dataset_queryset, month__gte=begin.replace(day=1), month__lte=end
        )
        .values("dataset_id", "month", "access_method")
        .annotate(**{m: Sum(m) for m in METRICS})
        .order_by("dataset_id", "month", "access_method")
    )


def report_datasets(*, begin: datetime.date, end: datetime.date, dataset_queryset):
    """The datasets with usage in the period, as plain data for :mod:`stats.counter`."""
    from stats.counter import ReportDataset

    per_dataset: dict[int, dict] = defaultdict(lambda: defaultdict(dict))
    for row in month_rows(begin=begin, end=end, dataset_queryset=dataset_queryset):
        per_dataset[row["dataset_id"]][row["month"]][row["access_method"]] = {
            m: row[m] for m in METRICS
        }
    if not per_dataset:
        return []
    from catalogue.models import Dataset

    datasets = (
        Dataset.objects.filter(id__in=per_dataset)
        .prefetch_related("creators")
        .order_by("published_at", "id")
    )
    items = []
    for d in datasets:
        items.append(
            ReportDataset(
                title=d.title,
                doi=d.doi,
                pid=str(d.pid),
                uri=d.get_absolute_url(),
                publisher=d.publisher,
                yop=d.publication_year,
                published=d.published_at.date() if d.published_at else None,
                creators=tuple((c.name, c.orcid or "") for c in d.creators.all()),
                months=dict(per_dataset[d.id]),
            )
        )
    return items


def chart_bars(bars: list[dict], *, height: int = 56, step: int = 20) -> list[dict]:
    """SVG geometry of the bars: x, and heights scaled to the highest month."""
    top = max([b["views"] for b in bars] + [1])
    out = []
    for i, b in enumerate(bars):
        views_h = round(height * b["views"] / top, 1)
        downloads_h = round(height * b["downloads"] / top, 1)
        out.append(
            {
                **b,
                "x": i * step + 2,
                "views_y": 60 - views_h,
                "views_h": views_h,
                "downloads_y": 60 - downloads_h,
                "downloads_h": downloads_h,
            }
        )
    return out


def record_usage_context(*, dataset_id: int, today: datetime.date) -> dict:
    """What a record page shows: the counters and the last 12 months' bars."""
    report = dataset_usage(dataset_id=dataset_id)
    return {
        "usage": report.total,
        "usage_bars": chart_bars(last_months(report, count=12, today=today)),
    }
