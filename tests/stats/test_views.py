"""Statistics end to end through the portal's own views: what counts, the dataset stats API,
the statistics page, and the SUSHI Dataset Report against DataCite's usage hub schema."""

import datetime
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse

from catalogue.models import Status
from stats.models import UsageEvent, UsageSalt
from tests.factories import make_dataset
from tests.landing.conftest import add_people, write_files

pytestmark = pytest.mark.django_db
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"
SCHEMA = Path(__file__).resolve().parents[1] / "data" / "counter" / "sushi_usage_schema.json"


@pytest.fixture
def published():
    dataset = make_dataset(status=Status.PUBLISHED, title="Diffraction of MOF-5", version="1")
    add_people(dataset)
    write_files(dataset, {"raw/scan_01.h5": b"\x89HDF\r\n\x1a\n" + b"\0" * 100})
    return dataset


def stats_of(client, dataset) -> dict:
    response = client.get(reverse("stats-api:dataset-stats", kwargs={"pid": dataset.pid}))
    assert response.status_code == 200
    return response.json()


def test_landing_page_and_download_count(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER)
    response = client.get(
        f"/datasets/{published.pid}/files/raw/scan_01.h5", HTTP_USER_AGENT=BROWSER
    )
    b"".join(response.streaming_content)  # the event is recorded when the response closes
    body = stats_of(client, published)
    assert body["investigations"] == {"total": 1, "unique": 1}  # page + download: 1 action
    assert body["requests"] == {"total": 1, "unique": 1}
    assert body["machine"] == {
        "investigations": {"total": 0, "unique": 0},
        "requests": {"total": 0, "unique": 0},
    }
    assert body["by_month"][0]["requests"]["total"] == 1
    assert UsageEvent.objects.filter(kind="request").get().size == 108


def test_exports_and_negotiation_are_investigations_with_a_machine_agent(client, published):
    client.get(f"/doi/{published.doi}/export/bibtex", HTTP_USER_AGENT="curl/8.5.0")
    client.get(
        f"/doi/{published.doi}", HTTP_ACCEPT="application/ld+json", HTTP_USER_AGENT="Wget/1.21"
    )
    body = stats_of(client, published)
    assert body["investigations"]["total"] == 0
    # curl and Wget: two user-sessions (different agents), one investigation each
    assert body["machine"]["investigations"] == {"total": 2, "unique": 2}


def test_robots_errors_and_drafts_do_not_count(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT="Googlebot/2.1")
    client.get(f"/doi/{published.doi}/export/citation?style=nope", HTTP_USER_AGENT=BROWSER)  # 400
    client.get(f"/datasets/{published.pid}/files/missing.h5", HTTP_USER_AGENT=BROWSER)  # 404
    draft = make_dataset(status=Status.DRAFT)
    client.get(f"/datasets/{draft.pid}/", HTTP_USER_AGENT=BROWSER)
    assert UsageEvent.objects.count() == 0


def test_stored_events_hold_no_address_or_user_id(client, published, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="203.0.113.9")
    event = UsageEvent.objects.get()
    stored = json.dumps(list(UsageEvent.objects.values()), default=str)
    assert "203.0.113.9" not in stored and f"user:{user.pk}" not in stored
    assert len(event.session_id) == 56
    assert UsageSalt.objects.count() == 1


def test_logged_in_user_is_one_session_across_addresses(client, published, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    client.get(
        f"/doi/{published.doi}/export/bibtex", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.1"
    )
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.0.0.2")
    body = stats_of(client, published)
    assert body["investigations"] == {"total": 1, "unique": 1}  # same user within 30 s


def test_stats_api_follows_the_access_gate(client):
    draft = make_dataset(status=Status.DRAFT)
    response = client.get(reverse("stats-api:dataset-stats", kwargs={"pid": draft.pid}))
    assert response.status_code == 404


def test_landing_page_shows_the_counters(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER)
    page = client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER, REMOTE_ADDR="10.9.9.9")
    html = page.content.decode()
    assert 'id="usage-heading"' in html
    assert "<dt>Views</dt><dd>1</dd>" in html  # the first view; this one counts after sending
    assert '<svg viewBox="0 0 240 64" role="img"' in html


def test_statistics_page(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER)
    page = client.get("/statistics/")
    assert page.status_code == 200
    assert "Diffraction of MOF-5" in page.content.decode()


# --------------------------------------------------------------- SUSHI DSR
def test_dataset_report_validates_against_the_usage_hub_schema(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER)
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT="python-requests/2.32")
    month = datetime.date.today().strftime("%Y-%m")
    response = client.get(f"/api/v1/reports/dsr?begin={month}&end={month}")
    assert response.status_code == 200
    report = response.json()
    # DataCite's hub validates the header with the datasets merged in (sashimi ValidationJob).
    merged = {**report["report-header"], "report-datasets": report["report-datasets"]}
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft4Validator(schema).validate(merged)
    (item,) = report["report-datasets"]
    assert item["dataset-id"][0] == {"type": "doi", "value": published.doi}
    assert item["dataset-title"] == "Diffraction of MOF-5"
    assert item["yop"] == (
        f"{published.publication_year:04d}" if published.publication_year else "0001"
    )
    assert {"type": "orcid", "value": "0000-0002-1825-0097"} in item["dataset-contributors"]
    (period,) = item["performance"]
    assert period["period"]["begin-date"] == f"{month}-01"
    instances = {(i["metric-type"], i["access-method"]): i["count"] for i in period["instance"]}
    assert instances == {
        ("total-dataset-investigations", "regular"): 1,
        ("unique-dataset-investigations", "regular"): 1,
        ("total-dataset-investigations", "machine"): 1,
        ("unique-dataset-investigations", "machine"): 1,
    }
    header = report["report-header"]
    assert (header["report-id"], header["release"]) == ("DSR", "rd1")


@pytest.mark.parametrize(
    "query", ["", "?begin=2026-01", "?begin=2026-13&end=2026-12", "?begin=2026-05&end=2026-01"]
)
def test_dataset_report_names_bad_dates(client, query):
    response = client.get(f"/api/v1/reports/dsr{query}")
    assert response.status_code == 400
    assert response.json()["code"] == 3020


def test_dataset_report_leaves_out_what_the_public_cannot_see(client, published):
    client.get(f"/doi/{published.doi}", HTTP_USER_AGENT=BROWSER)
    published.status = Status.DRAFT
    published.save()
    month = datetime.date.today().strftime("%Y-%m")
    report = client.get(f"/api/v1/reports/dsr?begin={month}&end={month}").json()
    assert report["report-datasets"] == []
