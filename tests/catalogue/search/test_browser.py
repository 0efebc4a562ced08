"""The search page in headless Chromium: facets ticked, keyboard use, and a screenshot."""

import pathlib

import pytest

from tests.conftest import CHROMIUM

ARTIFACTS = pathlib.Path(__file__).resolve().parents[3] / "test-artifacts"
LAUNCH_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # live_server commits
def test_search_page_with_facets_selected(settings, world, live_server):
    from playwright.sync_api import sync_playwright

    settings.SEARCH_BACKEND = "database"
    ARTIFACTS.mkdir(exist_ok=True)
    url = (
        f"{live_server.url}/search/?q=SAXS&facility=European+Synchrotron+Radiation+Facility"
        "&keyword=protein&keyword=calibration&cond=sample.temperature:gte:20:degC"
    )
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1360, "height": 1000})
            page.goto(url)
            assert page.locator("h1").inner_text() == "Search datasets"
            assert page.locator(".results-count").inner_text().startswith("1 dataset")
            facility = page.get_by_role("checkbox", name="European Synchrotron Radiation Facility")
            assert facility.is_checked()
            assert page.get_by_role("group", name="Keyword").is_visible()
            assert "<mark>" in page.locator(".result-title").first.inner_html()
            page.screenshot(path=str(ARTIFACTS / "search-facets.png"), full_page=True)

            # With the script: unticking a facet submits the form at once.
            with page.expect_navigation():
                page.get_by_role("checkbox", name="protein").uncheck()
            page.wait_for_load_state()
            assert "keyword=calibration" in page.url and "keyword=protein" not in page.url
            assert page.locator(".results-count").inner_text().startswith("No datasets")

            # Keyboard: type a query in the search box and press Enter.
            page.goto(f"{live_server.url}/search/")
            page.get_by_label("Words, phrases, people, DOIs").fill("micelles")
            with page.expect_navigation():
                page.keyboard.press("Enter")
            page.wait_for_load_state()
            assert page.url.endswith("/search/?q=micelles")
            assert page.locator(".result-title").inner_text() == world.sans.title
            page.screenshot(path=str(ARTIFACTS / "search-query.png"), full_page=True)
        finally:
            browser.close()
