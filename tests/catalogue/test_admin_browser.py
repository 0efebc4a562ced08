"""The admin's change page in Debian's Chromium: it fits 1,366 px (and a phone) without
horizontal scrolling, the JSON fields are tags and rows, and an edit made with those widgets
is saved through the one writer and shows in the conversation with its changed fields."""

from pathlib import Path

import pytest

from catalogue.models import DatasetEvent, Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.factories import CuratorFactory, make_dataset
from tests.landing.conftest import add_people

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
LONG = "Operando_small_angle_scattering_of_a_very_long_identifier_without_any_break_" * 3


@pytest.fixture
def record():
    # Created before Playwright starts: its event loop makes Django refuse ORM calls.
    curator = CuratorFactory(username="curator")
    ds = make_dataset(
        status=Status.PUBLISHED,
        title="In situ SAXS of silica nanoparticle growth in a flow cell",
        keywords=["SAXS", "silica", "nanoparticles", LONG],
        additional_titles=[{"title": "Silica growth", "titleType": "AlternativeTitle"}],
        additional_descriptions=[
            {"description": "Flow cell at 25 °C.", "descriptionType": "Methods"}
        ],
        subjects=[{"subject": "Nanoscience", "subjectScheme": "ANZSRC", "schemeUri": LONG}],
        dates=[{"date": "2024-05-01", "dateType": "Created"}],
        scientific_metadata={
            "sample": {"temperature": {"value": 25, "unit": "degC"}},
            "beam": {"energy": {"value": 12.4, "unit": "keV"}},
            LONG: "a value without spaces " + LONG,
            "detector": {"roi": [0, 0, 512, 512]},  # a list: a row holds it as JSON
        },
        description=("A long abstract. " * 80).strip(),
    )
    add_people(ds)
    dataset_files_register(
        dataset=ds,
        files=[
            FileRecord(
                path=f"raw/{LONG}/frame_{i:05d}.h5",
                size=8_000_000,
                checksum="ab" * 32,
                checksum_algorithm="sha256",
            )
            for i in range(12)
        ],
    )
    DatasetEvent.objects.create(
        dataset=ds, kind=DatasetEvent.Kind.COMMENT, actor=curator, actor_name="curator",
        comment="Please check the unit of the beam energy. " * 6 + LONG,
    )  # fmt: skip
    ds.refresh_from_db()
    return ds


WIDEST = """w => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > w + 1)
  .slice(0, 8).map(e => e.tagName + '.' + e.className + '#' + (e.name || e.id || e.htmlFor)
     + '@' + Math.round(e.getBoundingClientRect().right) + '<' + e.parentNode.className)"""


def _log_in(page, base: str, path: str) -> None:
    page.goto(f"{base}/admin/login/?next={path}")
    page.fill("#id_username", "curator")
    page.fill("#id_password", "pw-for-tests")
    page.click("input[type=submit]")
    page.wait_for_url(f"**{path}")


def test_change_page_fits_1366_px_and_a_phone(live_server, record):
    from playwright.sync_api import sync_playwright

    path = f"/admin/catalogue/dataset/{record.pk}/change/"
    ARTIFACTS.mkdir(exist_ok=True)
    widths = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            for width, height in [(1366, 768), (390, 844)]:
                context = browser.new_context(viewport={"width": width, "height": height})
                page = context.new_page()
                _log_in(page, live_server.url, path)
                page.screenshot(path=str(ARTIFACTS / f"admin-change-{width}.png"), full_page=True)
                widths[width] = page.evaluate("document.documentElement.scrollWidth")
                if widths[width] > width:  # name what sticks out, for the failure message
                    widths[f"{width} wide"] = page.evaluate(WIDEST, width)
                if width == 1366:
                    # Tags and rows, not JSON text areas.
                    assert page.locator(".json-tags .chip").count() == 4
                    assert page.locator("input[name=additional_titles-0-title]").input_value() \
                        == "Silica growth"  # fmt: skip
                    # Scientific metadata as rows, a list too (as JSON in its row, read back as
                    # the same list: the rows show a tree only when they round-trip it).
                    keys = page.locator("input[name^=scientific_metadata-][name$=-key]")
                    values = page.locator("input[name^=scientific_metadata-][name$=-value]")
                    row = keys.evaluate_all("els => els.map(e => e.value)").index("detector.roi")
                    assert values.nth(row).input_value() == "[0, 0, 512, 512]"
                    assert page.locator("details.json-box[open] textarea").count() == 0
                    assert page.locator("input[name=doi]").count() == 0  # published: read-only
                context.close()
        finally:
            browser.close()
    assert widths == {1366: 1366, 390: 390}


def test_edit_with_the_widgets_lands_in_the_conversation(live_server, record):
    from playwright.sync_api import sync_playwright

    record.scientific_metadata = {"sample": {"temperature": {"value": 25, "unit": "degC"}}}
    record.save(update_fields=["scientific_metadata"])
    path = f"/admin/catalogue/dataset/{record.pk}/change/"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            _log_in(page, live_server.url, path)
            assert page.locator("input[name=scientific_metadata-0-key]").input_value() \
                == "sample.temperature"  # fmt: skip
            page.fill("input[name=keywords]", "SAXS, silica, flow cell")
            page.click("button[data-add-row=scientific_metadata]")
            page.fill("input[name=scientific_metadata-3-key]", "beam.energy")
            page.fill("input[name=scientific_metadata-3-value]", "12.4")
            page.fill("input[name=scientific_metadata-3-unit]", "keV")
            page.select_option("select[name=dates-1-dateType]", "Collected")
            page.fill("input[name=dates-1-date]", "2024-04-28/2024-04-30")
            page.click("input[name=_continue]")
            page.wait_for_selector(".messagelist")
            conversation = page.locator("#events-group").inner_text()
        finally:
            browser.close()
    record.refresh_from_db()
    assert record.keywords == ["SAXS", "silica", "flow cell"]
    assert record.scientific_metadata == {
        "sample": {"temperature": {"value": 25, "unit": "degC"}},
        "beam": {"energy": {"value": 12.4, "unit": "keV"}},
    }
    assert record.dates[-1] == {"date": "2024-04-28/2024-04-30", "dateType": "Collected"}
    event = record.events.get(kind=DatasetEvent.Kind.EDIT)
    assert set(event.changed_fields) == {"keywords", "scientific_metadata", "dates"}
    assert "curator" in conversation
    assert "edited dates, keywords, scientific_metadata" in conversation
