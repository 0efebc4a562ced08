"""The landing page in headless Chromium (Debian's, through Playwright): screenshots kept in
test-artifacts/, and the parts people use without JavaScript (style switcher, export menu)."""

from contextlib import contextmanager
from pathlib import Path

import pytest

from catalogue.models import Status
from tests.factories import BeamtimeFactory, make_dataset
from tests.landing.conftest import add_people, write_files

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def chromium():
    """Debian's Chromium through Playwright. Start it only after the test's database work:
    Playwright's sync API runs the test in another context, where Django would open (and
    leave open) a second database connection."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_landing_page_screenshot_and_no_js_controls(live_server, published, settings):
    settings.VISA_URL_TEMPLATE = "https://visa.example.org/instruments?proposal={proposal_id}"
    published.beamtime = BeamtimeFactory(proposal__facility=published.facility)
    published.save()
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        _landing_page(browser, f"{live_server.url}/doi/{published.doi}")


def _landing_page(browser, url: str) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page.goto(url)
    assert page.locator("h1").inner_text() == "SAXS of silver behenate"
    assert page.locator("a.orcid").count() == 2
    assert page.get_by_role("link", name="Open in VISA").count() == 1
    page.screenshot(path=str(ARTIFACTS / "landing-page.png"), full_page=True)
    # Without JavaScript: the style switcher is links, the export menu a <details>.
    page.get_by_role("link", name="IEEE", exact=True).click()
    assert page.locator("#citation-text").inner_text().startswith("J. Carberry and A. Okafor")
    assert not page.get_by_role("button", name="Copy citation").is_visible()  # needs JS
    page.locator("details.menu summary").click()
    assert page.get_by_role("link", name="BibTeX").first.is_visible()
    page.close()
    mobile = browser.new_page(viewport={"width": 390, "height": 844})
    mobile.goto(url)
    mobile.screenshot(path=str(ARTIFACTS / "landing-page-mobile.png"), full_page=True)
    # No horizontal scrolling on a phone.
    assert mobile.evaluate("document.documentElement.scrollWidth") <= 390
    mobile.close()


def test_tombstone_screenshot(live_server):
    dataset = make_dataset(status=Status.WITHDRAWN, title="A withdrawn dataset")
    add_people(dataset)
    write_files(dataset, {"a.txt": b"a"})
    ARTIFACTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        response = page.goto(f"{live_server.url}/doi/{dataset.doi}")
        assert response.status == 410
        assert "Wrong calibration." in page.content()
        page.screenshot(path=str(ARTIFACTS / "landing-tombstone.png"), full_page=True)
