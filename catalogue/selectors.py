"""Reads for pages and the API. Visibility always comes from ``catalogue.access``."""

import time
import uuid
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse

from catalogue.access import datasets_public
from catalogue.models import DataFile, Dataset, Facility, Instrument, Technique
from catalogue.snapshot import snapshot_queryset


def dataset_by_pid(pid: uuid.UUID | str) -> Dataset | None:
    """The dataset with this PID, with what its snapshot needs, or None (also for bad PIDs)."""
    try:
        pid = uuid.UUID(str(pid))
    except ValueError:
        return None
    return snapshot_queryset().filter(pid=pid).first()


def datasets_latest_public(*, limit: int = 8) -> QuerySet:
    return snapshot_queryset(datasets_public()).order_by("-published_at", "-id")[:limit]


@dataclass(frozen=True)
class CatalogueCounts:
    datasets: int
    files: int
    bytes: int
    facilities: int
    instruments: int
    techniques: int


def catalogue_counts() -> CatalogueCounts:
    """What the public catalogue holds (published datasets only).

    Written for the ``dataset_public_totals`` index: the sums are an index-only scan of the
    published records, and "how many facilities/instruments/techniques" asks each of those
    (a few hundred rows) whether it has a public record, instead of COUNT(DISTINCT) over every
    record's row.
    """
    public = datasets_public()
    # Separate aggregates: joining techniques would multiply the per-dataset sums.
    totals = public.aggregate(n=Count("id"), files=Sum("file_count"), size=Sum("total_size"))
    used_by_public = {
        "facilities": Facility.objects.filter(Exists(public.filter(facility_id=OuterRef("pk")))),
        "instruments": Instrument.objects.filter(
            Exists(public.filter(instrument_id=OuterRef("pk")))
        ),
        "techniques": Technique.objects.filter(
            Exists(
                Dataset.techniques.through.objects.filter(
                    technique_id=OuterRef("pk"), dataset__in=public
                )
            )
        ),
    }
    for key, qs in used_by_public.items():
        totals[key] = qs.count()
    return CatalogueCounts(
        datasets=totals["n"] or 0,
        files=totals["files"] or 0,
        bytes=totals["size"] or 0,
        facilities=totals["facilities"],
        instruments=totals["instruments"],
        techniques=totals["techniques"],
    )


def facilities_with_public_counts() -> QuerySet:
    # A count per facility (an index-only range of ``dataset_public_totals`` each), not a join
    # of every dataset row grouped by facility.
    public = (
        datasets_public()
        .filter(facility_id=OuterRef("pk"))
        .order_by()
        .values("facility_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Facility.objects.annotate(public_datasets=Coalesce(Subquery(public), 0)).order_by("name")


@dataclass(frozen=True)
class FacilityCount:
    name: str
    public_datasets: int


@dataclass(frozen=True)
class HomeSummary:
    """What the home page shows every visitor alike: counts, the latest records, facilities."""

    counts: CatalogueCounts
    latest: tuple  # of DatasetSnapshot
    facilities: tuple[FacilityCount, ...]


HOME_SUMMARY_KEY = "catalogue:home-summary:v2"  # (summary, fresh until: time.time())
HOME_SUMMARY_RECOUNT_KEY = "catalogue:home-summary:recounting"
HOME_SUMMARY_RECOUNT_SECONDS = 30  # a recount that died frees the others after this


def home_summary() -> HomeSummary:
    """The home page's public summary, fresh for PORTAL_HOME_CACHE_SECONDS (0: never cached).

    Safe to share between visitors: it is built from the public catalogue only
    (``datasets_public``), never from what a signed-in user may see. At 100,000 records its
    four aggregates cost most of the page (0.1-0.5 s of PostgreSQL time under load). When the
    summary is due, one process recounts and the others show the previous summary meanwhile:
    without that, every home page arriving during a recount recounted too (13 recounts in a
    2.5-minute load run, 60 % of PostgreSQL's time). Writers' ``datasets_changed`` drops it
    (``home_summary_forget``); the cache is shared by every process in production (Redis).
    """
    ttl = settings.HOME_CACHE_SECONDS
    if ttl <= 0:
        return _count_home_summary()
    entry = cache.get(HOME_SUMMARY_KEY)
    recounting = False  # this process holds the recount (only when a summary was due)
    if entry is not None:
        summary, fresh_until = entry
        if time.time() < fresh_until:
            return summary
        if not cache.add(HOME_SUMMARY_RECOUNT_KEY, 1, HOME_SUMMARY_RECOUNT_SECONDS):
            return summary  # another process is recounting
        recounting = True
    summary = _count_home_summary()
    # Kept past its freshness so that there is a summary to show during the next recount.
    cache.set(HOME_SUMMARY_KEY, (summary, time.time() + ttl), ttl * 10)
    if recounting:
        cache.delete(HOME_SUMMARY_RECOUNT_KEY)  # never another process's
    return summary


def _count_home_summary() -> HomeSummary:
    from catalogue.snapshot import dataset_snapshot

    return HomeSummary(
        counts=catalogue_counts(),
        latest=tuple(dataset_snapshot(d) for d in datasets_latest_public(limit=6)),
        facilities=tuple(
            FacilityCount(name=f.name, public_datasets=f.public_datasets)
            for f in facilities_with_public_counts()
        ),
    )


def home_summary_forget(*, dataset_ids: list[int], ever_public_ids=None, **kwargs) -> None:
    """``datasets_changed`` receiver: the next home page recounts if a changed record is (or
    was, for a withdrawn one) public. Drafts change all the time (every ingestor's write) and
    never reach the summary: forgetting it for them made every home page recount under load.
    The announcement says which records were ever public (``ever_public_ids``; all of
    ``dataset_ids`` when it is not given, as for every receiver: ``catalogue.signals``)."""
    if dataset_ids if ever_public_ids is None else ever_public_ids:
        cache.delete(HOME_SUMMARY_KEY)


class KnownCountPaginator(Paginator):
    """A paginator that trusts the dataset's stored file count instead of COUNT(*)."""

    def __init__(self, object_list, per_page, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @property
    def count(self) -> int:  # type: ignore[override]
        return self._known_count


def dataset_files_page(*, dataset: Dataset, page: str | int | None, per_page: int) -> Page:
    """One page of a dataset's files by path; bad or out-of-range page numbers are clamped."""
    files = DataFile.objects.filter(dataset=dataset).order_by("path")
    paginator = KnownCountPaginator(files, per_page, count=dataset.file_count)
    return paginator.get_page(page)


def dataset_files_after(
    *, dataset: Dataset, after: str | None, limit: int, prefix: str = ""
) -> tuple[list[DataFile], str | None]:
    """Keyset page of files: those with a path after ``after`` (below the folder ``prefix``,
    recursively, when given); also the next cursor."""
    files = DataFile.objects.filter(dataset=dataset).order_by("path")
    if prefix:
        files = files.filter(path__startswith=prefix)
    if after:
        files = files.filter(path__gt=after)
    rows = list(files[: limit + 1])
    next_after = rows[limit - 1].path if len(rows) > limit else None
    return rows[:limit], next_after


def file_download_url(*, dataset: Dataset, file: DataFile) -> str:
    """Where to download a file: the dataset's public base URL, or the portal's own route."""
    if dataset.download_base_url:
        return dataset.download_base_url.rstrip("/") + "/" + quote(file.path)
    return reverse("catalogue:file-download", kwargs={"pid": dataset.pid, "path": file.path})
