"""Pages: home, dataset page, file download. Views parse, selectors read, the gate decides."""

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from catalogue import selectors
from catalogue.access import dataset_access
from catalogue.downloads import file_response
from catalogue.models import DataFile, Status
from catalogue.snapshot import dataset_snapshot
from catalogue.storage import StoragePathError, dataset_file_path
from portal.errors import render_gone
from stats.models import Kind
from stats.tracking import usage_track


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


def _visible_dataset_or_404(request: HttpRequest, pid):
    dataset = selectors.dataset_by_pid(pid)
    if dataset is None:
        raise Http404("No such dataset.")
    access = dataset_access(user=request.user, dataset=dataset)
    if not access.exists_for_user:
        raise Http404("No such dataset.")
    return dataset, access


def dataset_detail(request: HttpRequest, pid) -> HttpResponse:
    dataset, access = _visible_dataset_or_404(request, pid)
    snapshot = dataset_snapshot(dataset)
    if dataset.status == Status.WITHDRAWN:
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
    usage_track(request, dataset=dataset)
    return render(
        request,
        "catalogue/dataset_detail.html",
        {
            "dataset": snapshot,
            "record": dataset,
            "access": access,
            "files_page": files_page,
            "status_label": Status(dataset.status).label,
        },
    )


def file_download(request: HttpRequest, pid, path: str) -> HttpResponse:
    dataset, access = _visible_dataset_or_404(request, pid)
    if not access.files:
        raise Http404("No such file.")
    if not DataFile.objects.filter(dataset=dataset, path=path).exists():
        raise Http404("No such file.")
    try:
        real = dataset_file_path(dataset.storage_folder, path)
    except StoragePathError as exc:
        raise Http404("No such file.") from exc
    if not real.is_file():
        raise Http404("The file is registered but not in storage.")
    media_type = (
        DataFile.objects.filter(dataset=dataset, path=path).values_list("media_type", flat=True)
    ).first()
    usage_track(request, dataset=dataset, kind=Kind.REQUEST, size=real.stat().st_size)
    return file_response(
        path=real,
        filename=path.rsplit("/", 1)[-1],
        media_type=media_type or "",
        range_header=request.headers.get("Range"),
    )
