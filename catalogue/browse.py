"""The files section of a record page: folder navigation, name filter, paging.

Parses the query (``path``, ``q``, ``page``) and reads through :mod:`catalogue.folders`;
the page shows the folders directly inside the current one first (with their recursive file
counts and sizes), then every file below it, paged, with paths relative to the folder.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.paginator import Page
from django.http import HttpRequest

from catalogue import folders, selectors
from catalogue.models import Dataset

NAME_FILTER_MAX = 200


@dataclass
class FileBrowser:
    prefix: str
    name: str
    crumbs: list[folders.Crumb]
    folders: list[folders.Folder]
    files_page: Page
    bad_prefix: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def parent(self) -> str | None:
        if not self.prefix:
            return None
        return self.crumbs[-2].path if len(self.crumbs) > 1 else ""


def file_browser(*, request: HttpRequest, dataset: Dataset, per_page: int) -> FileBrowser:
    """The folder the request asks for (unknown or bad paths show the top, with a note)."""
    raw_prefix = request.GET.get("path", "")
    bad = ""
    try:
        prefix = folders.normalize_prefix(raw_prefix)
    except folders.BadPrefix:
        prefix, bad = "", raw_prefix
    name = (request.GET.get("q") or "").strip()[:NAME_FILTER_MAX]
    subfolders = [] if name else folders.folders_under(dataset=dataset, prefix=prefix)
    page = folders.folder_files_page(
        dataset=dataset, prefix=prefix, name=name, page=request.GET.get("page"), per_page=per_page
    )
    for f in page.object_list:
        f.download_url = selectors.file_download_url(dataset=dataset, file=f)
        f.display_path = f.path[len(prefix) :]
    if prefix and not subfolders and not page.paginator.count and not name:
        bad = raw_prefix  # no such folder: say so, and show the top instead
        return file_browser_top(dataset=dataset, per_page=per_page, bad=bad)
    return FileBrowser(
        prefix=prefix,
        name=name,
        crumbs=folders.breadcrumbs(prefix),
        folders=subfolders,
        files_page=page,
        bad_prefix=bad,
    )


def file_browser_top(*, dataset: Dataset, per_page: int, bad: str = "") -> FileBrowser:
    page = folders.folder_files_page(dataset=dataset, prefix="", name="", page=1, per_page=per_page)
    for f in page.object_list:
        f.download_url = selectors.file_download_url(dataset=dataset, file=f)
        f.display_path = f.path
    return FileBrowser(
        prefix="",
        name="",
        crumbs=[],
        folders=folders.folders_under(dataset=dataset, prefix=""),
        files_page=page,
        bad_prefix=bad,
    )
