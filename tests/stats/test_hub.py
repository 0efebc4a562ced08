"""Sending to DataCite's usage hub: off by default; what is sent passes the hub's schema."""

import datetime
import io
import json
import urllib.error
from pathlib import Path

import jsonschema
import pytest

from catalogue.models import Status
from stats import hub
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db
SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "data/counter/sushi_usage_schema.json").read_text()
)
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


class StandInHub:
    """Answers as the hub documents (201 on a valid report, 422 on an invalid one)."""

    def __init__(self):
        self.sent = []

    def __call__(self, request, timeout):
        assert request.get_header("Authorization") == "Bearer secret-token"
        report = json.loads(request.data)
        merged = {**report["report-header"], "report-datasets": report["report-datasets"]}
        errors = list(jsonschema.Draft4Validator(SCHEMA).iter_errors(merged))
        if errors:
            raise urllib.error.HTTPError(
                request.full_url, 422, "Unprocessable", {}, io.BytesIO(str(errors[0]).encode())
            )
        self.sent.append(report)
        return _Response(201)


class _Response:
    def __init__(self, status):
        self.status = status

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_off_by_default(settings):
    assert settings.STATS_HUB_ENABLED is False
    with pytest.raises(hub.HubError):
        hub.send_month(month="2026-01", opener=StandInHub())


def test_sends_the_month_with_dois_only(settings, client):
    settings.STATS_HUB_ENABLED = True
    settings.STATS_HUB_TOKEN = "secret-token"
    settings.STATS_CLIENT_ID = "esrf.data"
    dataset = make_dataset(status=Status.PUBLISHED)
    client.get(f"/doi/{dataset.doi}", HTTP_USER_AGENT=BROWSER)
    stand_in = StandInHub()
    month = datetime.date.today().strftime("%Y-%m")
    assert hub.send_month(month=month, opener=stand_in) == 201
    (report,) = stand_in.sent
    (item,) = report["report-datasets"]
    assert item["publisher-id"] == [{"type": "client-id", "value": "esrf.data"}]
    assert item["dataset-id"][0]["value"] == dataset.doi
