"""The Content-Security-Policy keeps every page and H5Web working, in real Chromium: no CSP
violation is reported while the pages load and the HDF5 viewer plots a NeXus file."""

from pathlib import Path

import pytest
from django.conf import settings

from catalogue.models import Status
from tests.catalogue.preview.conftest import DEMO_HDF5, dataset_with_files
from tests.conftest import CHROMIUM

BUILD = Path(settings.BASE_DIR) / "static" / "build" / "preview.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--enable-unsafe-swiftshader"]  # fmt: skip


def _note_violation(violations: list[str], text: str) -> None:
    if "Content Security Policy" in text:
        violations.append(text)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_csp_keeps_pages_and_the_hdf5_viewer_working(live_server):
    if not BUILD.exists():
        pytest.fail("static/build/preview.js is missing: run `make frontend` (make test does)")
    nexus = next(p for p in DEMO_HDF5 if p.name == "chopper.nxs")
    ds = dataset_with_files(Status.PUBLISHED, files=[nexus])
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    violations: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 950})
            page.on("console", lambda m: _note_violation(violations, m.text))
            page.on("pageerror", lambda e: violations.append(f"page error: {e}"))
            for path in ("/", "/search/?q=chopper", f"/doi/{ds.doi}", "/accounts/login/"):
                response = page.goto(f"{live_server.url}{path}")
                assert response.status == 200, path
                csp = response.headers["content-security-policy"]
                assert "script-src 'self'" in csp
                # eval only where the viewer is embedded (portal/csp.py)
                assert ("unsafe-eval" in csp) == path.startswith("/doi/"), (path, csp)
            page.goto(f"{live_server.url}/datasets/{ds.pid}/")
            page.get_by_role("button", name="Preview chopper.nxs").click()
            page.get_by_role("dialog", name="chopper.nxs").wait_for(state="visible")
            try:
                page.locator("dialog.h5preview canvas").first.wait_for(
                    state="visible", timeout=60_000
                )
            except Exception:
                page.screenshot(path=str(ARTIFACTS / "csp-h5web-failure.png"))
                print("DIALOG:", page.locator("dialog.h5preview").inner_text()[:2000])
                raise
            page.get_by_role("tab", name="NX Heatmap").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            page.screenshot(path=str(ARTIFACTS / "csp-h5web-viewer.png"))
        finally:
            browser.close()
    assert violations == []
