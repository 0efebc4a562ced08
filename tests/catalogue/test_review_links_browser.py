"""Reviewer links in headless Chromium (Debian's, through Playwright): the owner creates a
double-blind link on the record page's panel, a browser without an account opens it and sees
the banner and no names. Screenshots in test-artifacts/."""

from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from catalogue.models import Contributor, ReviewLink, Status
from tests.factories import GroupFactory, UserFactory, make_dataset
from tests.landing.conftest import write_files

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip


@contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def test_owner_creates_a_double_blind_link_and_a_referee_opens_it(live_server):
    owner = UserFactory(username="alice")
    owner.groups.add(GroupFactory(name="p-11012345"))
    ds = make_dataset(Status.IN_REVIEW, owner_group=owner.groups.get(), created_by=owner,
                      title="Lysozyme SAXS temperature series")  # fmt: skip
    Contributor.objects.create(dataset=ds, position=0, name="Lindqvist, Berit",
                               contributor_type="DataCurator")  # fmt: skip
    write_files(ds, {"raw/frame_0001.txt": b"frame 1", "raw/frame_0002.txt": b"frame 2"})
    login = Client()
    login.force_login(owner)
    cookie = login.cookies[django_settings.SESSION_COOKIE_NAME].value
    ARTIFACTS.mkdir(exist_ok=True)
    record = f"{live_server.url}/datasets/{ds.pid}/"
    with chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 900})
        context.add_cookies([{"name": django_settings.SESSION_COOKIE_NAME, "value": cookie,
                              "url": live_server.url}])  # fmt: skip
        page = context.new_page()
        page.goto(record + "#review-links")
        page.get_by_label("Label (whom it is for)").fill("Referee 2, J. Synchrotron Rad.")
        page.get_by_label("Expires after (days)").fill("14")
        page.get_by_label("Double-blind", exact=False).check()
        page.get_by_role("button", name="Create link").click()
        url = page.locator("#new-review-link").input_value()
        assert "/review/pdr_" in url
        page.locator("#review-links").screenshot(path=str(ARTIFACTS / "review-links-panel.png"))
        context.close()

        referee = browser.new_context(viewport={"width": 1280, "height": 900})
        visit = referee.new_page()
        response = visit.goto(url)
        assert response.ok and visit.url == record  # the secret left the address bar
        text = visit.locator("main").inner_text()
        assert "You are viewing this dataset through a reviewer link" in text
        for name in ("Okafor", "Lindqvist", "alice", "p-11012345"):
            assert name not in visit.content(), name
        assert visit.get_by_role("link", name="frame_0001.txt").count() == 1
        visit.screenshot(path=str(ARTIFACTS / "review-link-record.png"), full_page=True)
        with visit.expect_download() as download:
            visit.get_by_role("link", name="frame_0001.txt").click()
        assert Path(download.value.path()).read_bytes() == b"frame 1"
        state = referee.storage_state()  # the referee's session, holding the grant
        referee.close()
    ReviewLink.objects.update(revoked_at="2020-01-01T00:00:00Z")  # (no database in Playwright)
    with chromium() as browser:
        referee = browser.new_context(storage_state=state)
        assert referee.new_page().goto(record).status == 404  # revocation acts at once
        referee.close()
