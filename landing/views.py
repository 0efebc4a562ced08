"""DOI landing pages: the page, its exports, content negotiation, linksets and manifests.

Views parse the request and pick a representation; what a user may see comes from
``catalogue.access`` (through :func:`landing.selectors.landing_record`), and every format is
written by one pure module (doi.datacite, landing.schemaorg, landing.citations,
landing.signposting, landing.manifests).
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponsePermanentRedirect,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_safe

from catalogue import archives, folders
from catalogue.access import (
    DatasetGone,
    DatasetNotFound,
    access_dataset,
    user_is_curator,
    user_is_dataset_member,
)
from catalogue.browse import file_browser
from catalogue.curation.review_links import review_links_panel_context
from catalogue.curation.views import curation_panel_context
from catalogue.models import Dataset, Status
from catalogue.reviewlinks import snapshot_names_hidden
from catalogue.snapshot import (
    DatasetSnapshot,
    dataset_snapshot,
    record_snapshot,
    snapshot_queryset,
)
from doi.datacite import datacite_attributes, datacite_xml
from doi.identifiers import landing_url
from landing import citations, manifests, schemaorg, selectors, signposting
from landing.exports import EXPORTS, NEGOTIABLE, WITHDRAWN_EXPORTS, Export
from landing.negotiation import negotiate
from portal.csp import viewer_page
from portal.errors import render_gone
from stats import selectors as stats_selectors
from stats.tracking import usage_track

# Downloads listed in the JSON-LD ``distribution``: every file of small datasets; bigger ones
# are described by their Metalink manifest instead (a page head is no place for 100,000 URLs).
JSONLD_FILE_LIMIT = 100
RECORD_EXPORTS = ("bibtex", "ris", "csl-json", "datacite-xml", "datacite-json", "json-ld")
CITATION_STYLE_CHOICES = [("apa", "APA"), ("harvard", "Harvard"), ("chicago", "Chicago"),
                          ("mla", "MLA"), ("ieee", "IEEE"), ("nature", "Nature"),
                          ("datacite", "DataCite")]  # fmt: skip


def _doi(raw: str) -> str:
    return raw.strip().rstrip("/")


def _record_or_404(request: HttpRequest, doi: str) -> selectors.LandingRecord:
    record = selectors.landing_record(doi=_doi(doi), user=request.user)
    if record is None:
        raise Http404("No published dataset has this DOI.")
    return record


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _urls(request: HttpRequest, snapshot: DatasetSnapshot) -> dict[str, str]:
    """The record's absolute URLs. A page asks three times (Signposting, its links, JSON-LD):
    they are worked out once per request and record (a copy each time: callers add to it)."""
    known = request.__dict__.setdefault("_landing_urls", {})
    key = (snapshot.doi, snapshot.pid)
    if key not in known:
        known[key] = _work_out_urls(request, snapshot)
    return dict(known[key])


def _work_out_urls(request: HttpRequest, snapshot: DatasetSnapshot) -> dict[str, str]:
    base = _base(request)
    doi = snapshot.doi or ""

    def landing_route(name: str, **kwargs) -> str:
        return base + reverse(f"landing:{name}", kwargs={"doi": doi, **kwargs})

    return {
        "landing": landing_url(doi),
        "self": base + reverse("landing:landing", kwargs={"doi": doi}),
        "datacite_xml": base + reverse("api:dataset-datacite-xml", kwargs={"pid": snapshot.pid}),
        "datacite_json": base + reverse("api:dataset-datacite-json", kwargs={"pid": snapshot.pid}),
        "jsonld": landing_route("export", fmt="json-ld"),
        "linkset_json": landing_route("linkset-json"),
        "linkset": landing_route("linkset"),
        "metalink": landing_route("manifest", kind="manifest.meta4"),
        "aria2": landing_route("manifest", kind="manifest.aria2"),
        "urls": landing_route("manifest", kind="urls.txt"),
        "sha256": landing_route("manifest", kind="SHA256SUMS"),
        "md5": landing_route("manifest", kind="MD5SUMS"),
    }


def _signposts(request: HttpRequest, snapshot: DatasetSnapshot) -> signposting.Signposts:
    urls = _urls(request, snapshot)
    return signposting.landing_signposts(
        landing_url=urls["self"],
        doi_url=snapshot.doi_url,
        orcids=[a.orcid_url for a in snapshot.creators if a.orcid],
        license_url=snapshot.licence.url if snapshot.licence else "",
        datacite_xml_url=urls["datacite_xml"],
        datacite_json_url=urls["datacite_json"],
        jsonld_url=urls["jsonld"],
        linkset_json_url=urls["linkset_json"],
        linkset_text_url=urls["linkset"],
    )


def _item_links(
    request: HttpRequest, record: selectors.LandingRecord
) -> Iterable[signposting.Link]:
    urls = selectors.DownloadUrls(dataset=record.dataset, base_url=_base(request))
    for f in selectors.iter_dataset_files(dataset=record.dataset):
        yield signposting.item_link(urls.url(f.path), f.media_type)


def _jsonld(
    request: HttpRequest,
    record: selectors.LandingRecord,
    snapshot: DatasetSnapshot,
    files=None,
) -> dict:
    urls = _urls(request, snapshot)
    downloads: list[schemaorg.Download] = []
    if record.access.files and snapshot.file_count:
        if snapshot.file_count <= JSONLD_FILE_LIMIT:
            if files is None or len(files) < snapshot.file_count:
                files = list(selectors.iter_dataset_files(dataset=record.dataset))
            links = selectors.DownloadUrls(dataset=record.dataset, base_url=_base(request))
            downloads = [
                schemaorg.Download(links.url(f.path), f.path, f.media_type, f.size) for f in files
            ]
        downloads.append(
            schemaorg.Download(
                urls["metalink"],
                f"Download manifest of all {snapshot.file_count} files (Metalink 4)",
                "application/metalink4+xml",
            )
        )
    return schemaorg.dataset_jsonld(
        snapshot,
        landing_url=urls["self"],
        catalog_name=settings.SITE_NAME,
        catalog_url=_base(request) + "/",
        downloads=downloads,
        files_open=record.access.files,
    )


# --------------------------------------------------------------------------- exports
class BadParameter(ValueError):
    pass


def _export_body(
    request: HttpRequest,
    record: selectors.LandingRecord,
    snapshot: DatasetSnapshot,
    export: Export,
    params: dict[str, str],
) -> tuple[str | bytes, str]:
    """The body of an export and its full Content-Type."""
    key = export.key
    if key == "datacite-xml":
        return datacite_xml(snapshot), f"{export.media_type}; charset=utf-8"
    if key == "datacite-json":
        body = json.dumps(datacite_attributes(snapshot), indent=2, ensure_ascii=False)
        return body + "\n", f"{export.media_type}; charset=utf-8"
    if key == "json-ld":
        body = json.dumps(_jsonld(request, record, snapshot), indent=2, ensure_ascii=False)
        return body + "\n", f"{export.media_type}; charset=utf-8"
    if key == "bibtex":
        return citations.bibtex(snapshot), f"{export.media_type}; charset=utf-8"
    if key == "ris":
        return citations.ris(snapshot), f"{export.media_type}; charset=utf-8"
    if key == "csl-json":
        body = json.dumps(citations.csl_item(snapshot), indent=2, ensure_ascii=False)
        return body + "\n", f"{export.media_type}; charset=utf-8"
    if key == "citation":
        try:
            style = citations.style_key(params.get("style"))
            locale = citations.locale_key(params.get("locale"))
        except citations.UnknownStyle as exc:
            raise BadParameter(str(exc)) from exc
        text = selectors.cached_citation(snapshot, style=style, locale=locale, html=False)
        return text + "\n", f"text/x-bibliography; charset=utf-8; style={style}; locale={locale}"
    raise Http404  # pragma: no cover - EXPORTS and this function list the same keys


def _export_response(
    request: HttpRequest,
    record: selectors.LandingRecord,
    export: Export,
    params: dict[str, str],
    snapshot: DatasetSnapshot | None = None,
) -> HttpResponse:
    snapshot = snapshot or record_snapshot(record.dataset)
    if record.withdrawn and export.key not in WITHDRAWN_EXPORTS:
        return _gone_text(snapshot)
    try:
        body, content_type = _export_body(request, record, snapshot, export, params)
    except BadParameter as exc:
        return HttpResponse(f"{exc}\n", status=400, content_type="text/plain; charset=utf-8")
    usage_track(request, dataset=record.dataset)  # a metadata export: an investigation
    response = HttpResponse(body, content_type=content_type)
    stem = (snapshot.doi or str(snapshot.pid)).replace("/", "_")
    disposition = "attachment" if export.attachment else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{stem}.{export.extension}"'
    return response


def _gone_text(snapshot: DatasetSnapshot) -> HttpResponse:
    reason = snapshot.withdrawal_reason or "No reason was given."
    return HttpResponse(
        f"This dataset was withdrawn: {reason}\nIts DataCite metadata is still available.\n",
        status=410,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
def export(request: HttpRequest, doi: str, fmt: str) -> HttpResponse:
    """GET /doi/<doi>/export/<format>: one export as a plain download."""
    export_format = EXPORTS.get(fmt)
    if export_format is None:
        raise Http404(f"No export format {fmt!r}.")
    record = _record_or_404(request, doi)
    params = {k: request.GET[k] for k in ("style", "locale") if request.GET.get(k)}
    return _export_response(request, record, export_format, params)


# --------------------------------------------------------------------------- landing page
def _not_acceptable() -> HttpResponse:
    offered = "\n".join(sorted(NEGOTIABLE))
    return HttpResponse(
        f"None of the media types in the Accept header is available. Offered:\n{offered}\n",
        status=406,
        content_type="text/plain; charset=utf-8",
    )


@require_safe
@viewer_page  # the HDF5 viewer needs eval (portal/csp.py)
def landing(request: HttpRequest, doi: str) -> HttpResponse:
    """GET /doi/<doi>: the landing page, or the representation the Accept header asks for."""
    response = _landing(request, doi)
    # RFC 9110 §12.5.5: the representation depends on Accept, for every answer of this URL.
    patch_vary_headers(response, ["Accept"])
    return response


def _landing(request: HttpRequest, doi: str) -> HttpResponse:
    try:
        record = _record_or_404(request, doi)
    except Http404:
        latest = selectors.concept_latest_doi(doi=_doi(doi))
        if latest is not None:
            # A concept DOI: it always resolves to the latest published version (Zenodo).
            target = reverse("landing:landing", kwargs={"doi": latest})
            return HttpResponseRedirect(target)
        return render(request, "landing/not_found.html", {"doi": _doi(doi)}, status=404)
    chosen = negotiate(request.headers.get("Accept"), list(NEGOTIABLE))
    if chosen is None:
        return _not_acceptable()
    media_type, params = chosen
    key = NEGOTIABLE[media_type]
    snapshot = record_snapshot(record.dataset)
    signposts = _signposts(request, snapshot)
    if key != "html":
        response = _export_response(request, record, EXPORTS[key], params, snapshot)
        # RFC 9110 §8.7: the negotiated representation also lives at its own URL.
        response["Content-Location"] = reverse(
            "landing:export", kwargs={"doi": snapshot.doi, "fmt": key}
        )
    elif record.withdrawn:
        response = _tombstone(request, record, snapshot)
    else:
        return _page(request, record, snapshot, signposts)
    if record.withdrawn:
        response["Link"] = _tombstone_links(signposts)
    else:
        response["Link"] = signposting.link_header(signposts, _header_items(request, record))
    return response


def _header_items(request: HttpRequest, record: selectors.LandingRecord):
    if not record.access.files:
        return []
    files = selectors.files_page(dataset=record.dataset, page=1).object_list
    urls = selectors.DownloadUrls(dataset=record.dataset, base_url=_base(request))
    return [
        signposting.item_link(urls.url(f.path), f.media_type)
        for f in files[: signposting.HEADER_LIMIT]
    ]


def _tombstone_links(signposts: signposting.Signposts) -> str:
    """A tombstone keeps its identity and metadata links (FAIR Signposting), nothing else."""
    links = [signposting.Link(signposts.cite_as, "cite-as"), *signposts.described_by[:2]]
    return " , ".join(link.header_value() for link in links)


def _tombstone(request, record, snapshot) -> HttpResponse:
    return render(
        request,
        "landing/tombstone.html",
        {
            "dataset": snapshot,
            "is_curator_view": record.access.metadata,
            "citation": citations.datacite_citation(snapshot),
            "urls": _urls(request, snapshot),
        },
        status=410,
    )


def _page(request, record, snapshot, signposts) -> HttpResponse:
    """The record page at its canonical address /doi/<doi>, with its Signposting links."""
    context = _record_context(request, dataset=record.dataset, access=record.access,
                              snapshot=snapshot, has_landing=True)  # fmt: skip
    browser = context["browser"]
    page_files = list(browser.files_page.object_list) if browser else []
    whole_list_first_page = (
        browser is not None
        and not browser.prefix
        and not browser.name
        and browser.files_page.number == 1
    )
    context["jsonld"] = schemaorg.jsonld_script(
        _jsonld(request, record, snapshot, files=page_files if whole_list_first_page else None)
    )
    if whole_list_first_page:
        links = selectors.DownloadUrls(dataset=record.dataset, base_url=_base(request))
        items = [
            signposting.item_link(links.url(f.path), f.media_type)
            for f in page_files[: signposting.HEADER_LIMIT]
        ]
    else:
        items = _header_items(request, record)
    response = render(request, "landing/landing.html", context)
    response["Link"] = signposting.link_header(signposts, items)
    return response


def _record_context(request, *, dataset, access, snapshot, has_landing: bool) -> dict:
    """Everything the one record page shows, for /doi/<doi> and /datasets/<pid>/ alike."""
    try:
        style = citations.style_key(request.GET.get("style"))
    except citations.UnknownStyle:
        style = "apa"
    browser = None
    if access.files and snapshot.file_count:
        browser = file_browser(
            request=request, dataset=dataset, per_page=settings.LANDING_FILES_PAGE_SIZE
        )
    base = _base(request)
    if has_landing:
        urls = _urls(request, snapshot)
        canonical = urls["landing"]
    else:
        urls = {
            "datacite_xml": base + reverse("api:dataset-datacite-xml", kwargs={"pid": dataset.pid}),
            "datacite_json": base
            + reverse("api:dataset-datacite-json", kwargs={"pid": dataset.pid}),
        }
        canonical = base + dataset.get_absolute_url()
    zip_url = ""
    if browser is not None and archives.zip_allowed(dataset=dataset):
        zip_url = reverse("catalogue:dataset-zip", kwargs={"pid": dataset.pid})
        urls["zip"] = base + zip_url
    cut_dirs = None
    if browser is not None and not dataset.download_base_url:
        # wget --cut-dirs: drop /datasets/<pid>/files/ so files land at their own paths.
        cut_dirs = 3
    context = {
        "dataset": snapshot,
        "record": dataset,
        "access": access,
        "has_landing": has_landing,
        "doi_unregistered": bool(snapshot.doi) and not snapshot.doi_resolves,
        "browser": browser,
        "files_page": browser.files_page if browser else None,
        "manifest_urls": urls if has_landing else None,
        "canonical_url": canonical,
        "citation_style": style,
        "citation_styles": [
            (key, label, citations.style_key(key) == style) for key, label in CITATION_STYLE_CHOICES
        ],
        "exports": [
            EXPORTS[k]
            for k in ("bibtex", "ris", "csl-json", "datacite-xml", "datacite-json", "json-ld")
        ],
        # One reverse() for every export link of the page (the keys are plain path segments).
        "export_prefix": reverse("landing:export", kwargs={"doi": snapshot.doi, "fmt": "bibtex"})[
            : -len("bibtex")
        ]
        if has_landing
        else "",
        "jsonld": "",
        "urls": urls,
        "visa_url": selectors.visa_url(snapshot) if access.files else "",
        "cut_dirs": cut_dirs,
        "zip_url": zip_url,
        "scientific_entries": snapshot.scientific_entries,
        "status_label": Status(dataset.status).label,
        "can_manage": user_is_curator(request.user)
        or user_is_dataset_member(request.user, dataset),
    }
    versions = snapshot.versions
    if versions is not None and versions.published:
        context["versions_newest_first"] = list(reversed(versions.published))
        latest = versions.latest
        if dataset.status == Status.PUBLISHED and not versions.is_latest:
            context["newer_version"] = latest  # the banner on older versions
    # Status, checklist, conversation and the moves the user may make (the curation panel).
    context["curation"] = curation_panel_context(request, dataset)
    context["review_links"] = review_links_panel_context(request, dataset)
    if has_landing:
        context["citation_html"] = selectors.cached_citation(
            snapshot, style=style, locale=citations.DEFAULT_LOCALE, html=True
        )
    if dataset.status == Status.PUBLISHED:
        context.update(
            stats_selectors.record_usage_context(dataset_id=dataset.pk, today=timezone.localdate())
        )
    usage_track(request, dataset=dataset)
    return context


@require_safe
@viewer_page  # the HDF5 viewer needs eval (portal/csp.py)
def dataset_page(request: HttpRequest, pid) -> HttpResponse:
    """GET /datasets/<pid>/: the record page of a record without a landing page, or a
    permanent redirect to its canonical /doi/<doi> (with ``Link: rel=canonical``)."""
    try:
        # The one page that can show a double-blind reviewer the record without names. The
        # row alone first: most visits to a published record's pid are only redirected.
        dataset, access = access_dataset(
            user=request.user, pid=pid, names_hidden_ok=True, queryset=Dataset.objects.all()
        )
    except DatasetNotFound as exc:
        raise Http404("No such dataset.") from exc
    except DatasetGone as gone:
        dataset, access = gone.dataset, gone.access
    if dataset.doi and dataset.status == Status.PUBLISHED:
        target = reverse("landing:landing", kwargs={"doi": dataset.doi})
        if request.GET:
            target += "?" + request.GET.urlencode()
        response = HttpResponsePermanentRedirect(target)
        # RFC 6596: the canonical address of this record.
        response["Link"] = f'<{landing_url(dataset.doi)}>; rel="canonical"'
        return response
    # The record itself is shown: load it with what its snapshot needs.
    dataset = snapshot_queryset().get(pk=dataset.pk)
    snapshot = dataset_snapshot(dataset)
    if access.names_hidden:
        snapshot = snapshot_names_hidden(snapshot)
    if dataset.status == Status.WITHDRAWN:
        # Curators see the tombstone too, with the record below it.
        return render_gone(
            request, context={"dataset": snapshot, "is_curator_view": access.metadata}
        )
    context = _record_context(
        request, dataset=dataset, access=access, snapshot=snapshot, has_landing=False
    )
    return render(request, "landing/landing.html", context)


# --------------------------------------------------------------------------- linksets
def _published_record(request: HttpRequest, doi: str) -> selectors.LandingRecord:
    record = _record_or_404(request, doi)
    if record.withdrawn:
        raise _Gone(record_snapshot(record.dataset))
    return record


class _Gone(Exception):
    def __init__(self, snapshot):
        self.snapshot = snapshot


def _linkset(request: HttpRequest, doi: str, *, json_form: bool) -> HttpResponse:
    try:
        record = _published_record(request, doi)
    except _Gone as gone:
        return _gone_text(gone.snapshot)
    snapshot = record_snapshot(record.dataset)
    signposts = _signposts(request, snapshot)
    items = _item_links(request, record) if record.access.files else []
    if json_form:
        body = signposting.linkset_json(signposts, items)
        content_type = signposting.LINKSET_JSON
    else:
        body = signposting.linkset_text(signposts, items)
        content_type = signposting.LINKSET_TEXT
    if request.method == "HEAD":
        body = []
    return StreamingHttpResponse(body, content_type=content_type)


@require_safe
def linkset_json(request: HttpRequest, doi: str) -> HttpResponse:
    """GET /doi/<doi>/linkset.json: RFC 9264 JSON linkset (FAIR Signposting level 2)."""
    return _linkset(request, doi, json_form=True)


@require_safe
def linkset_text(request: HttpRequest, doi: str) -> HttpResponse:
    """GET /doi/<doi>/linkset: RFC 9264 native linkset."""
    return _linkset(request, doi, json_form=False)


# --------------------------------------------------------------------------- manifests
MANIFESTS = {
    "manifest.meta4": ("application/metalink4+xml", "meta4"),
    "manifest.aria2": ("text/plain; charset=utf-8", "aria2"),
    "urls.txt": ("text/plain; charset=utf-8", "txt"),
    "SHA256SUMS": ("text/plain; charset=utf-8", None),
    "MD5SUMS": ("text/plain; charset=utf-8", None),
    "SHA1SUMS": ("text/plain; charset=utf-8", None),
    "SHA512SUMS": ("text/plain; charset=utf-8", None),
    "B2SUMS": ("text/plain; charset=utf-8", None),
}
_SUMS_ALGORITHM = {
    "SHA256SUMS": "sha256",
    "MD5SUMS": "md5",
    "SHA1SUMS": "sha1",
    "SHA512SUMS": "sha512",
    "B2SUMS": "blake2b",
}


@require_safe
def manifest(request: HttpRequest, doi: str, kind: str) -> HttpResponse:
    """GET /doi/<doi>/<manifest>: streamed download manifests of every file."""
    if kind not in MANIFESTS:
        raise Http404
    try:
        record = _published_record(request, doi)
    except _Gone as gone:
        return _gone_text(gone.snapshot)
    if not record.access.files:
        # The record is public, so 404 would lie; 403 says "exists, not for you yet" and the
        # message names the date the files open (the gate only refuses files to the public
        # of a published dataset for an embargo).
        until = record.access.embargoed_until
        when = f" until {until.isoformat()}" if until else ""
        return HttpResponse(
            f"The files of this dataset are under embargo{when}. Its metadata and citation "
            "are public; the manifest becomes available when the files open.\n",
            status=403,
            content_type="text/plain; charset=utf-8",
        )
    try:
        # ?path=raw/scan_01/: the files below that folder only.
        prefix = folders.normalize_prefix(request.GET.get("path"))
    except folders.BadPrefix as exc:
        return HttpResponse(
            f"path is not a folder of this dataset: {exc}\n",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    snapshot = record_snapshot(record.dataset)
    usage_track(request, dataset=record.dataset)  # the manifest's files count as they are fetched
    files = selectors.iter_manifest_files(
        dataset=record.dataset, base_url=_base(request), prefix=prefix
    )
    urls = _urls(request, snapshot)
    if kind == "manifest.meta4":
        body = manifests.metalink(
            files,
            origin=urls["metalink"],
            published=snapshot.published_at.strftime("%Y-%m-%dT%H:%M:%SZ")
            if snapshot.published_at
            else "",
        )
    elif kind == "manifest.aria2":
        body = manifests.aria2_input(files)
    elif kind == "urls.txt":
        body = manifests.url_list(files)
    else:
        body = manifests.checksum_file(files, algorithm=_SUMS_ALGORITHM[kind])
    content_type, extension = MANIFESTS[kind]
    if request.method == "HEAD":
        body = []
    response = StreamingHttpResponse(body, content_type=content_type)
    stem = (snapshot.doi or str(snapshot.pid)).replace("/", "_")
    if prefix:
        stem += "_" + prefix.strip("/").replace("/", "_")
    name = f"{stem}.{extension}" if extension else kind
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
