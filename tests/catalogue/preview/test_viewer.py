"""The viewer on the dataset page: Preview buttons, lazy loading, H5Web plotting in Chromium."""

from pathlib import Path

import pytest
from django.conf import settings

from catalogue.models import Status
from tests.catalogue.preview.conftest import DEMO_HDF5, dataset_with_files
from tests.conftest import CHROMIUM

BUILD = Path(settings.BASE_DIR) / "static" / "build" / "preview.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"
# The project's launch flags, plus WebGL in software (SwiftShader): H5Web draws with WebGL.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--enable-unsafe-swiftshader",
]


def _demo(name: str) -> Path:
    return next(p for p in DEMO_HDF5 if p.name == name)


@pytest.mark.django_db
def test_file_list_offers_a_preview_for_hdf5_rows_only(client):
    ds = dataset_with_files(Status.PUBLISHED, files=[_demo("chopper.nxs")],
                            writers={"notes.txt": lambda p: p.write_text("hi")})  # fmt: skip
    html = client.get(f"/datasets/{ds.pid}/", follow=True).content.decode()
    assert html.count("data-h5preview-file=") == 1
    assert 'data-h5preview-file="chopper.nxs"' in html
    assert f'data-h5preview-endpoint="/datasets/{ds.pid}/h5grove"' in html
    # Hidden until the script reveals it, so a page without JavaScript shows no dead button.
    assert '<button type="button" class="button button-small" hidden' in html
    assert '<script type="module" src="/static/build/preview.js"></script>' in html
    assert html.count("Download<span") == 2  # both files still listed and downloadable


@pytest.mark.django_db
def test_the_doi_landing_page_offers_the_preview_too(client):
    """The landing page includes the same file list partial, so it gets the same viewer."""
    ds = dataset_with_files(Status.PUBLISHED, files=[_demo("chopper.nxs")])
    page = client.get(f"/doi/{ds.doi}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-h5preview-file="chopper.nxs"' in html
    assert f'data-h5preview-endpoint="/datasets/{ds.pid}/h5grove"' in html
    assert "build/preview.js" in html


@pytest.mark.django_db
def test_no_preview_when_the_files_are_not_visible(client):
    import datetime

    future = datetime.date.today() + datetime.timedelta(days=9)
    ds = dataset_with_files(files=[_demo("chopper.nxs")], embargo_until=future)
    html = client.get(f"/datasets/{ds.pid}/").content.decode()
    assert "data-h5preview-file" not in html and "build/preview.js" not in html


@pytest.mark.browser
# serialized_rollback: the flush afterwards then skips post_migrate (which would recreate the
# curators group under the next serialized test's feet), like the other live-server tests.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_viewer_opens_and_plots_the_nexus_default(live_server):
    if not BUILD.exists():
        pytest.fail("static/build/preview.js is missing: run `make frontend` (make test does)")
    ds = dataset_with_files(Status.PUBLISHED, files=[_demo("chopper.nxs"), _demo("example.nxs")],
                            writers={"notes.txt": lambda p: p.write_text("hi")})  # fmt: skip
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    url = f"{live_server.url}/datasets/{ds.pid}/"
    failures: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            # Without JavaScript the files are listed, with no Preview button.
            static = browser.new_context(java_script_enabled=False)
            plain = static.new_page()
            plain.goto(url)
            assert plain.get_by_text("chopper.nxs").count() >= 1
            assert plain.get_by_role("button", name="Preview chopper.nxs").count() == 0
            static.close()

            context = browser.new_context(viewport={"width": 1400, "height": 950})
            page = context.new_page()
            loaded: list[str] = []
            page.on("request", lambda r: loaded.append(r.url))
            page.on(
                "response",
                lambda r: (
                    failures.append(f"{r.status} {r.url}")
                    if "/h5grove/" in r.url and r.status != 200
                    else None
                ),
            )
            page.goto(url)
            button = page.get_by_role("button", name="Preview chopper.nxs")
            button.wait_for(state="visible")
            # The viewer chunk (React + H5Web) is not loaded before a preview opens.
            assert not any("/chunks/" in u for u in loaded)
            assert page.get_by_role("button", name="Preview notes.txt").count() == 0
            page.screenshot(path=str(ARTIFACTS / "preview-file-list.png"), full_page=True)

            button.click()
            dialog = page.get_by_role("dialog", name="chopper.nxs")
            dialog.wait_for(state="visible")
            assert any("/chunks/" in u for u in loaded)
            # chopper.nxs: / default=entry, /entry default=data, NXdata signal=data (2D):
            # H5Web opens the "NeXus" visualisation and draws a heatmap on a canvas.
            page.locator("dialog.h5preview canvas").first.wait_for(state="visible", timeout=60_000)
            page.get_by_role("tab", name="NX Heatmap").wait_for(timeout=30_000)
            page.wait_for_timeout(1500)  # let the heatmap paint before the screenshot
            page.screenshot(path=str(ARTIFACTS / "preview-viewer.png"))
            assert any("/h5grove/data" in u and "format=bin" in u for u in loaded)

            page.keyboard.press("Escape")
            dialog.wait_for(state="hidden")
            assert page.evaluate("document.activeElement.dataset.h5previewFile") == "chopper.nxs"

            # The DOI landing page lists files with the same partial: same Preview buttons.
            page.goto(f"{live_server.url}/doi/{ds.doi}")
            landing_button = page.get_by_role("button", name="Preview example.nxs")
            landing_button.wait_for(state="visible")
            page.screenshot(path=str(ARTIFACTS / "preview-landing-page.png"), full_page=True)
            landing_button.click()
            page.get_by_role("dialog", name="example.nxs").wait_for(state="visible")
            page.locator("dialog.h5preview canvas").first.wait_for(state="visible", timeout=60_000)
            page.wait_for_timeout(1500)
            page.screenshot(path=str(ARTIFACTS / "preview-landing-viewer.png"))
        finally:
            browser.close()
    assert failures == []
