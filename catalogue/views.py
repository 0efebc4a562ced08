"""Pages: home, file download, ZIP download. Views parse, selectors read, the gate decides.

The record page (/datasets/<pid>/ and /doi/<doi>) is landing.views.dataset_page.
"""

from django.conf import settings
from django.db.models import Sum
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.views.decorators.http import require_safe

from catalogue import archives, folders, selectors
from catalogue.access import DatasetGone, DatasetNotFound, access_dataset
from catalogue.downloads import file_response
from catalogue.models import DataFile
from catalogue.storage import StoragePathError, dataset_file_path
from stats.models import Kind
from stats.tracking import usage_track


def home(request: HttpRequest) -> HttpResponse:
    summary = selectors.home_summary()
    return render(
        request,
        "catalogue/home.html",
        {"counts": summary.counts, "latest": summary.latest, "facilities": summary.facilities},
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
    usage_track(request, dataset=dataset, kind=Kind.REQUEST, size=real.stat().st_size)
    return file_response(
        path=real,
        filename=path.rsplit("/", 1)[-1],
        media_type=media_type or "",
        range_header=request.headers.get("Range"),
    )


@require_safe
def dataset_zip(request: HttpRequest, pid) -> HttpResponse:
    """GET /datasets/<pid>/zip[?path=folder/]: every file as one ZIP, streamed on the fly."""
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid, need="files")
    except (DatasetNotFound, DatasetGone) as exc:
        raise Http404("No such file.") from exc
    try:
        prefix = folders.normalize_prefix(request.GET.get("path"))
    except folders.BadPrefix:
        return HttpResponse("Bad folder path.\n", status=400, content_type="text/plain")
    size = dataset.total_size
    if prefix:
        size = folders.files_under(dataset=dataset, prefix=prefix).aggregate(s=Sum("size"))["s"]
        if size is None:
            raise Http404("No such folder.")
    if not archives.zip_allowed(dataset=dataset, size=size):
        limit = filesizeformat(settings.ZIP_MAX_BYTES)
        return HttpResponse(
            f"This dataset is larger than the {limit} a ZIP archive may hold here. "
            "Download its files with the manifest (Metalink, aria2 or the URL list).\n",
            status=413,
            content_type="text/plain; charset=utf-8",
        )
    archive = archives.dataset_zip(dataset=dataset, prefix=prefix)
    response = StreamingHttpResponse(
        [] if request.method == "HEAD" else archive, content_type="application/zip"
    )
    response["Content-Length"] = str(len(archive))
    name = archives.zip_filename(dataset=dataset, prefix=prefix)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    usage_track(request, dataset=dataset, kind=Kind.REQUEST, size=len(archive))
    return response
