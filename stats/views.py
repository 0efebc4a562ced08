"""Statistics for people (/statistics/) and machines (dataset stats, SUSHI Dataset Report)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from catalogue.access import DatasetGone, DatasetNotFound, access_dataset, datasets_public
from stats import counter, selectors


def _visible_dataset(request, pid):
    try:
        dataset, _ = access_dataset(user=request.user, pid=pid)
    except (DatasetNotFound, DatasetGone) as exc:
        raise Http404 from exc
    return dataset


@extend_schema(responses={200: OpenApiTypes.ANY, 201: OpenApiTypes.ANY})  # shapes in the README
class DatasetStats(APIView):
    """GET /api/v1/datasets/<pid>/stats: COUNTER metrics, humans in the totals, machines apart."""

    def get(self, request: Request, pid) -> Response:
        dataset = _visible_dataset(request, pid)
        body = {"pid": str(dataset.pid), "doi": dataset.doi}
        body.update(selectors.dataset_usage(dataset_id=dataset.pk).as_json())
        return Response(body)


@extend_schema(responses={200: OpenApiTypes.ANY, 201: OpenApiTypes.ANY})  # shapes in the README
class DatasetReport(APIView):
    """GET /api/v1/reports/dsr?begin=yyyy-mm&end=yyyy-mm: Research Data SUSHI DSR (rd1)."""

    def get(self, request: Request) -> Response:
        try:
            begin, end = counter.parse_period(
                request.query_params.get("begin") or request.query_params.get("begin_date"),
                request.query_params.get("end") or request.query_params.get("end_date"),
            )
        except counter.InvalidDates as exc:
            # SUSHI exception form (Research Data SUSHI API: code, severity, message, data).
            return Response(
                {
                    "code": exc.code,
                    "severity": "error",
                    "message": "Invalid Date Arguments",
                    "data": str(exc),
                    # The portal API's own error member, so every 400 of /api/v1 has it.
                    "detail": str(exc),
                },
                status=400,
            )
        items = selectors.report_datasets(begin=begin, end=end, dataset_queryset=datasets_public())
        base = request.build_absolute_uri("/").rstrip("/")
        items = [_absolute(i, base) for i in items]
        return Response(
            counter.dataset_report(
                items,
                begin=begin,
                end=end,
                created=timezone.now(),
                created_by=settings.SITE_NAME,
                platform=settings.SITE_NAME,
                publisher_id=(
                    ("client-id", settings.STATS_CLIENT_ID) if settings.STATS_CLIENT_ID else None
                ),
            )
        )


def _absolute(item: counter.ReportDataset, base: str) -> counter.ReportDataset:
    from dataclasses import replace

    return replace(item, uri=base + item.uri if item.uri.startswith("/") else item.uri)


def statistics_page(request: HttpRequest) -> HttpResponse:
    """/statistics/: what the public catalogue is used for, month by month."""
    public = datasets_public()
    report = selectors.site_usage(dataset_queryset=public)
    bars = selectors.last_months(report, count=12, today=timezone.localdate())
    return render(
        request,
        "stats/statistics.html",
        {
            "usage": report.total,
            "bars": bars,
            "top": selectors.top_datasets(dataset_queryset=public, limit=10),
            "months": list(reversed(report.by_month))[:24],
        },
    )
