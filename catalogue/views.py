"""Pages: home, dataset page, file download. Views parse, selectors read, the gate decides."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalogue import selectors
from catalogue.access import DatasetGone, DatasetNotFound, access_dataset
from catalogue.curation.views import curation_panel_context
from catalogue.downloads import file_response
from catalogue.models import DataFile, Status
from catalogue.snapshot import dataset_snapshot
from catalogue.storage import StoragePathError, dataset_file_path
from portal.csp import viewer_page
from portal.errors import render_gone


def home(request: HttpRequest) -> HttpResponse:
    latest = [dataset_snapshot(d) for d in selectors.datasets_latest_public(limit=6)]
    return render(
        request,
        "catalogue/home.html",
        {
            "counts": selectors.catalogue_counts(),
            "latest": latest,
            "facilities": selectors.facilities_with_public_counts(),
        },
    )


@viewer_page  # the HDF5 viewer needs eval (portal/csp.py)
def dataset_detail(request: HttpRequest, pid) -> HttpResponse:
    try:
        dataset, access = access_dataset(user=request.user, pid=pid)
    except DatasetNotFound as exc:
        raise Http404("No such dataset.") from exc
    except DatasetGone as gone:
        dataset, access = gone.dataset, gone.access
    snapshot = dataset_snapshot(dataset)
    if dataset.status == Status.WITHDRAWN:
        # Curators see the tombstone too, with the record below it.
        return render_gone(
            request,
            context={"dataset": snapshot, "is_curator_view": access.metadata},
        )
    files_page = None
    if access.files:
        page = selectors.dataset_files_page(
            dataset=dataset, page=request.GET.get("page"), per_page=settings.FILES_PAGE_SIZE
        )
        files_page = page
        for f in page.object_list:
            f.download_url = selectors.file_download_url(dataset=dataset, file=f)
    return render(
        request,
        "catalogue/dataset_detail.html",
        {
            "dataset": snapshot,
            "record": dataset,
            "access": access,
            "files_page": files_page,
            "status_label": Status(dataset.status).label,
            "curation": curation_panel_context(request, dataset),
        },
    )


def file_download(request: HttpRequest, pid, path: str) -> HttpResponse:
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid, need="files")
    except (DatasetNotFound, DatasetGone) as exc:
        raise Http404("No such file.") from exc
    # One query: is the file registered, and with which media type.
    registered = list(
        DataFile.objects.filter(dataset=dataset, path=path).values_list("media_type", flat=True)[:1]
    )
    if not registered:
        raise Http404("No such file.")
    media_type = registered[0]
    try:
        real = dataset_file_path(dataset.storage_folder, path)
    except StoragePathError as exc:
        raise Http404("No such file.") from exc
    if not real.is_file():
        raise Http404("The file is registered but not in storage.")
    return file_response(
        path=real,
        filename=path.rsplit("/", 1)[-1],
        media_type=media_type or "",
        range_header=request.headers.get("Range"),
    )
