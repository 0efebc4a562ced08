"""axe-core (bundled by axe-playwright-python) on the public pages, in Debian's Chromium at
desktop and phone widths: 0 violations; screenshots kept in test-artifacts/."""

import datetime
from pathlib import Path

import pytest

from catalogue.models import Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.catalogue.search.conftest import es_index  # noqa: F401 (a fixture)
from tests.factories import FacilityFactory, make_dataset
from tests.landing.conftest import add_people

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WIDTHS = {"desktop": (1280, 900), "phone": (390, 844)}
BROWSER_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


@pytest.fixture
def catalogue(settings):
    # Created before Playwright starts: its event loop makes Django refuse ORM calls.
    # Each index write is visible at once: the page is often asked for sooner than the index's
    # one-second refresh, and these tests are of the pages, not of the refresh interval.
    settings.SEARCH_REFRESH_ON_WRITE = True
    facility = FacilityFactory(code="esrf", name="European Synchrotron Radiation Facility",
                               short_name="ESRF")  # fmt: skip
    ds = make_dataset(
        status=Status.PUBLISHED,
        facility=facility,
        title="In situ SAXS of silica nanoparticle growth in a flow cell",
        license="CC-BY-4.0",
        scientific_metadata={
            "sample": {"temperature": {"value": 25, "unit": "degC"}, "concentration_mg_ml": 5},
            "beam": {"energy": {"value": 12.4, "unit": "keV"}, "flux": 3.2e12},
            **{f"detector.parameter_{i:02d}": {"value": i * 1.5, "unit": "mm"} for i in range(30)},
        },
    )
    add_people(ds)
    files = [FileRecord(path=f"raw/scan_{s:02d}/very_long_frame_name_{i:05d}.h5", size=8_000_000,
                        media_type="application/x-hdf5")
             for s in range(3) for i in range(40)]  # fmt: skip
    files.append(FileRecord(path="processed/azimuthal_integration/profiles.csv", size=120_000))
    dataset_files_register(dataset=ds, files=files)
    embargoed = make_dataset(
        status=Status.PUBLISHED,
        facility=facility,
        title="Operando XRD of a sodium-ion cathode",
        embargo_until=datetime.date.today() + datetime.timedelta(days=90),
    )
    ds.refresh_from_db()
    return ds, embargoed


def _axe(page) -> list:
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in results.response["violations"]
    ]


def test_public_pages_have_no_axe_violations(live_server, catalogue):
    from playwright.sync_api import sync_playwright

    ds, _ = catalogue
    pages = {
        "home": "/",
        "search": "/search/?q=SAXS",
        "search-conditions": "/search/?cond=sample.temperature:gte:290:K",
        "record": f"/doi/{ds.doi}",
        "record-folder": f"/doi/{ds.doi}?path=raw/scan_01/",
        "statistics": "/statistics/",
        "harvesting": "/harvesting/",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            for width_name, (width, height) in WIDTHS.items():
                context = browser.new_context(
                    viewport={"width": width, "height": height}, user_agent=BROWSER_UA
                )
                page = context.new_page()
                for name, path in pages.items():
                    response = page.goto(live_server.url + path)
                    assert response.status == 200, (path, response.status)
                    page.screenshot(
                        path=str(ARTIFACTS / f"{name}-{width_name}.png"), full_page=True
                    )
                    violations = _axe(page)
                    if violations:
                        problems[f"{name} ({width_name})"] = violations
                    if width_name == "phone":
                        # No horizontal scrolling on a phone.
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        assert scroll <= width, (path, scroll)
                context.close()
        finally:
            browser.close()
    assert problems == {}


@pytest.mark.search
@pytest.mark.usefixtures("es_index")
def test_phone_search_shows_the_first_result_on_the_first_screen(live_server, catalogue):
    # A private index (es_index, set up before the fixture's datasets): with no query the page lists
    # the newest documents, and the session's shared index holds earlier tests' documents
    # whose rows were rolled back, enough to fill the first page with hits the page drops.
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.goto(live_server.url + "/search/")
            first = page.locator("ol.results > li").first
            assert first.bounding_box()["y"] < 844  # the filters are folded into a drawer
            page.locator(".filters-summary").click()
            assert page.get_by_role("group", name="Facility").is_visible()
        finally:
            browser.close()


def test_usage_counters_through_a_live_server(live_server, catalogue):
    """A real browser views the record page; the counters count it (COUNTER rules)."""
    from playwright.sync_api import sync_playwright

    ds, _ = catalogue
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            page = browser.new_page(user_agent=BROWSER_UA)
            page.goto(f"{live_server.url}/doi/{ds.doi}")
            page.goto(f"{live_server.url}/doi/{ds.doi}")  # a double-click: still one view
            api = page.request.get(f"{live_server.url}/api/v1/datasets/{ds.pid}/stats").json()
            page.goto(f"{live_server.url}/doi/{ds.doi}")
            views = page.locator("#usage dt", has_text="Views").locator("xpath=../dd")
            shown = views.first.inner_text()
        finally:
            browser.close()
    assert api["investigations"] == {"total": 1, "unique": 1}
    assert shown == "1"
