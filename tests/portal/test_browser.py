"""The foundation pages in a real browser (Debian Chromium via Playwright): they render,
the skip link is the first stop for keyboard users, and screenshots are kept as artefacts."""

from pathlib import Path

import pytest

from catalogue.models import Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.factories import make_dataset

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        yield page
        browser.close()


@pytest.fixture
def published(django_db_serialized_rollback, transactional_db):
    # Created before Playwright starts: its event loop makes Django refuse ORM calls.
    ds = make_dataset(
        status=Status.PUBLISHED,
        title="SAXS of lipid nanoparticles in a temperature ramp",
        scientific_metadata={"sample": {"temperature": {"value": 25, "unit": "degC"}}},
    )
    dataset_files_register(dataset=ds, files=[FileRecord(path="frames/f_0001.h5", size=4096)])
    return ds


@pytest.mark.browser
def test_home_and_dataset_page_in_chromium(live_server, published, browser_page):
    ds = published
    ARTIFACTS.mkdir(exist_ok=True)

    page = browser_page
    page.goto(live_server.url + "/")
    assert page.locator("h1").inner_text() == "Open data from photon and neutron science"
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to content"
    page.screenshot(path=str(ARTIFACTS / "home.png"), full_page=True)

    page.get_by_role("link", name=ds.title).click()
    # One record page: the dataset URL leads to the record's canonical /doi/<doi>.
    page.wait_for_url(f"**/doi/{ds.doi}")
    assert page.get_by_role("heading", name="Scientific metadata").is_visible()
    assert page.get_by_role("cell", name="degC").is_visible()
    assert page.get_by_role("link", name="Download frames/f_0001.h5").count() == 1
    page.screenshot(path=str(ARTIFACTS / "dataset.png"), full_page=True)
