"""Reads for landing pages, exports and manifests. Visibility comes from ``catalogue.access``."""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

from catalogue import selectors as catalogue_selectors
from catalogue.access import DatasetAccess, DatasetGone, DatasetNotFound, access_dataset
from catalogue.models import DataFile, Dataset, DatasetConcept, Status
from catalogue.snapshot import DatasetSnapshot, record_queryset
from landing import citations
from landing.manifests import ManifestFile

# Keyset page size when streaming manifests and linksets: big enough that 100,000 files
# take 50 queries, small enough that memory stays flat.
STREAM_CHUNK = 2000
# Django's reverse() quotes a path with these left alone (django.urls.resolvers).
_PATH_SAFE = "!$&'()*+,;=/~:@"


@dataclass(frozen=True)
class LandingRecord:
    """A dataset reached by its DOI, and what the requesting user may do with it."""

    dataset: Dataset
    access: DatasetAccess

    @property
    def withdrawn(self) -> bool:
        return self.dataset.status == Status.WITHDRAWN


def landing_record(*, doi: str, user) -> LandingRecord | None:
    """The published or withdrawn dataset with this DOI that the user may know of, or None.

    The DOI is matched case-insensitively (DOI Handbook §2.4: stored lower case). Landing
    pages exist only for what has been published: a draft, even one given a DOI by hand, has
    none, for anybody (curators use the dataset page).
    """
    # The row and its DOI registrations; the rest of its snapshot comes with record_snapshot.
    published = record_queryset().filter(status__in=(Status.PUBLISHED, Status.WITHDRAWN))
    try:
        dataset, access = access_dataset(user=user, doi=doi, queryset=published)
    except DatasetNotFound:
        return None
    except DatasetGone as gone:
        dataset, access = gone.dataset, gone.access  # the landing views answer 410
    return LandingRecord(dataset=dataset, access=access)


class DownloadUrls:
    """Absolute download URLs of a dataset's files, without a reverse() per file."""

    def __init__(self, *, dataset: Dataset, base_url: str):
        self.dataset = dataset
        if dataset.download_base_url:
            self.prefix = dataset.download_base_url.rstrip("/") + "/"
            self.portal = False
        else:
            marker = "__path__"
            route = reverse("catalogue:file-download", kwargs={"pid": dataset.pid, "path": marker})
            self.prefix = base_url.rstrip("/") + route[: -len(marker)]
            self.portal = True

    def url(self, path: str) -> str:
        # Same quoting as catalogue.selectors.file_download_url (tests keep them equal).
        return self.prefix + (quote(path, safe=_PATH_SAFE) if self.portal else quote(path))


def concept_latest_doi(*, doi: str) -> str | None:
    """For a concept DOI: the DOI of the record's latest public version (published, else the
    latest withdrawn one, whose tombstone answers), or None (not a concept DOI, or nothing of
    the record public yet). Only public versions are ever named, so no one learns of drafts."""
    from catalogue.identifiers import normalize_doi
    from doi.services import concept_latest

    try:
        key = normalize_doi(doi)
    except ValueError:
        return None
    concept = DatasetConcept.objects.filter(doi=key).first()
    if concept is None:
        return None
    latest = concept_latest(concept)
    return latest.doi if latest is not None and latest.doi else None


def iter_dataset_files(
    *, dataset: Dataset, chunk: int = STREAM_CHUNK, prefix: str = ""
) -> Iterator[DataFile]:
    """Every file of a dataset (or below the folder ``prefix``) in path order, read in keyset
    pages (flat memory)."""
    after = None
    while True:
        rows, after = catalogue_selectors.dataset_files_after(
            dataset=dataset, after=after, limit=chunk, prefix=prefix
        )
        yield from rows
        if after is None:
            return


def iter_manifest_files(
    *, dataset: Dataset, base_url: str, prefix: str = ""
) -> Iterator[ManifestFile]:
    urls = DownloadUrls(dataset=dataset, base_url=base_url)
    for f in iter_dataset_files(dataset=dataset, prefix=prefix):
        yield ManifestFile(
            path=f.path,
            url=urls.url(f.path),
            size=f.size,
            checksum_algorithm=f.checksum_algorithm,
            checksum=f.checksum,
            media_type=f.media_type,
        )


def files_page(*, dataset: Dataset, page: str | int | None):
    """The page of files the landing page shows, each with its (relative) download URL."""
    result = catalogue_selectors.dataset_files_page(
        dataset=dataset, page=page, per_page=settings.LANDING_FILES_PAGE_SIZE
    )
    for f in result.object_list:
        f.download_url = catalogue_selectors.file_download_url(dataset=dataset, file=f)
    return result


def cached_citation(snapshot: DatasetSnapshot, *, style: str, locale: str, html: bool) -> str:
    """A formatted citation, cached per record version (CSL formatting costs milliseconds)."""
    stamp = snapshot.updated_at.timestamp() if snapshot.updated_at else 0
    key = (
        f"landing:cite:{snapshot.pid}:{stamp}:{int(snapshot.doi_resolves)}:"
        f"{style}:{locale}:{int(html)}"
    )
    text = cache.get(key)
    if text is None:
        text = citations.formatted_citation(snapshot, style=style, locale=locale, html=html)
        cache.set(key, text, timeout=24 * 3600)
    return text


def visa_url(snapshot: DatasetSnapshot) -> str:
    """The "Open in VISA" address (PORTAL_VISA_URL_TEMPLATE); '' if unset or incomplete."""
    template = settings.VISA_URL_TEMPLATE
    if not template:
        return ""
    values = {
        "pid": str(snapshot.pid),
        "doi": snapshot.doi or "",
        "proposal_id": snapshot.proposal.proposal_id if snapshot.proposal else "",
        "beamtime_id": snapshot.beamtime.beamtime_id if snapshot.beamtime else "",
        "facility": snapshot.facility.code if snapshot.facility else "",
        "instrument": snapshot.instrument.code if snapshot.instrument else "",
    }
    try:
        fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError:
        return ""
    if not fields <= set(values) or any(not values[name] for name in fields):
        return ""
    return template.format(**{k: quote(v, safe="") for k, v in values.items()})
