"""German pages in Debian's Chromium (Accept-Language from the browser's locale): screenshots in
test-artifacts/de-*.png, axe-core with 0 violations, and the header's language switcher."""

from pathlib import Path

import pytest

from catalogue.models import Status
from catalogue.services.files import FileRecord, dataset_files_register
from tests.factories import FacilityFactory, GroupFactory, UserFactory, make_dataset
from tests.landing.conftest import add_people
from tests.portal.test_accessibility import BROWSER_UA, LAUNCH_ARGS, _axe
from tests.portal.test_i18n import i18n_script

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def catalogue():
    i18n_script.compile_all()
    facility = FacilityFactory(code="petra", name="PETRA III", short_name="PETRA III")
    group = GroupFactory(name="p-11")
    owner = UserFactory(username="anna", email="anna@example.org")
    owner.groups.add(group)
    ds = make_dataset(status=Status.PUBLISHED, facility=facility, owner_group=group,
                      title="Lysozym bei 100 K", license="CC-BY-4.0")  # fmt: skip
    add_people(ds)
    files = [FileRecord(path=f"raw/scan_{s:02d}/bild_{i:04d}.h5", size=8_000_000,
                        media_type="application/x-hdf5")
             for s in range(2) for i in range(25)]  # fmt: skip
    dataset_files_register(dataset=ds, files=files)
    make_dataset(status=Status.DRAFT, facility=facility, owner_group=group, title="Entwurf A")
    ds.refresh_from_db()
    return ds, owner


def test_german_pages_screenshots_and_axe(live_server, catalogue):
    from playwright.sync_api import sync_playwright

    ds, _owner = catalogue
    pages = {
        "home": "/",
        "search": "/search/?q=Lysozym",
        "record": f"/doi/{ds.doi}",
        "record-folder": f"/doi/{ds.doi}?path=raw/scan_01/",
        "statistics": "/statistics/",
        "harvesting": "/harvesting/",
        "log-in": "/accounts/login/",
    }
    ARTIFACTS.mkdir(exist_ok=True)
    problems = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            for width_name, viewport in {"desktop": (1280, 900), "phone": (390, 844)}.items():
                context = browser.new_context(
                    viewport={"width": viewport[0], "height": viewport[1]},
                    user_agent=BROWSER_UA,
                    locale="de-DE",  # Chromium sends Accept-Language: de-DE
                )
                page = context.new_page()
                for name, path in pages.items():
                    response = page.goto(live_server.url + path)
                    assert response.status == 200, (path, response.status)
                    assert page.locator("html").get_attribute("lang") == "de", path
                    page.screenshot(
                        path=str(ARTIFACTS / f"de-{name}-{width_name}.png"), full_page=True
                    )
                    if violations := _axe(page):
                        problems[f"{name} ({width_name})"] = violations
                # The owner's pages, logged in through the (German) log-in form.
                page.goto(live_server.url + "/accounts/login/")
                page.fill("input[name=login]", "anna")
                page.fill("input[name=password]", "pw-for-tests")
                page.locator("main form button[type=submit]").click()
                page.wait_for_load_state()
                page.goto(live_server.url + "/my/datasets/")
                assert page.get_by_role("heading", name="Meine Datensätze").is_visible()
                page.screenshot(
                    path=str(ARTIFACTS / f"de-my-datasets-{width_name}.png"), full_page=True
                )
                if violations := _axe(page):
                    problems[f"my-datasets ({width_name})"] = violations
                context.close()
        finally:
            browser.close()
    assert problems == {}


def test_language_switcher_in_the_header(live_server, catalogue):
    from playwright.sync_api import sync_playwright

    ds, _owner = catalogue
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            context = browser.new_context(user_agent=BROWSER_UA, locale="en-GB")
            page = context.new_page()
            url = f"{live_server.url}/doi/{ds.doi}?path=raw/scan_01/"
            page.goto(url)
            assert page.locator("html").get_attribute("lang") == "en"
            # A labelled select and a submit button: usable by keyboard and screen readers.
            page.get_by_label("Language").select_option("de")
            page.get_by_role("button", name="Change language").click()
            page.wait_for_load_state()
            assert page.url == url  # the same page, the same URL
            assert page.locator("html").get_attribute("lang") == "de"
            assert page.get_by_role("heading", name="Diesen Datensatz zitieren").is_visible()
            page.get_by_label("Sprache").select_option("en")
            page.get_by_role("button", name="Sprache wechseln").click()
            page.wait_for_load_state()
            assert page.locator("html").get_attribute("lang") == "en"
        finally:
            browser.close()
