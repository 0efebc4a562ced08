"""The curation pages in Debian's Chromium at 1,366 and 390 px: axe-core finds 0 violations on
"My datasets", the deposit form, the record page's curation panel and the review queue; none
scrolls sideways; screenshots (also of the admin's change page) are kept in test-artifacts/."""

from pathlib import Path

import pytest

from catalogue.models import DatasetEvent, Status
from tests.factories import CuratorFactory, DataFileFactory, GroupFactory, UserFactory, make_dataset
from tests.portal.test_accessibility import _axe

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
WIDTHS = {"desktop": (1366, 768), "phone": (390, 844)}


@pytest.fixture
def curation():
    # Created before Playwright starts: its event loop makes Django refuse ORM calls.
    alice = UserFactory(username="alice")
    group = GroupFactory(name="p-1")
    alice.groups.add(group)
    curator = CuratorFactory(username="curator")
    records = {}
    for status in (Status.DRAFT, Status.SUBMITTED, Status.IN_REVIEW, Status.CHANGES_REQUESTED):
        ds = make_dataset(
            status=status, owner_group=group, created_by=alice,
            title=f"Operando SAXS of zeolite crystallisation in a microfluidic mixer ({status})",
            keywords=["SAXS", "zeolite"],
            scientific_metadata={"sample": {"temperature": {"value": 353, "unit": "K"}}},
        )  # fmt: skip
        DataFileFactory(dataset=ds)
        records[status] = ds
    ds = records[Status.CHANGES_REQUESTED]
    for actor, kind, comment in [
        (curator, DatasetEvent.Kind.TRANSITION, "Please give the sample temperature."),
        (alice, DatasetEvent.Kind.COMMENT, "Added: 80 °C."),
    ]:
        DatasetEvent.objects.create(
            dataset=ds, kind=kind, actor=actor, actor_name=actor.username, comment=comment,
            from_status=Status.IN_REVIEW, to_status=Status.CHANGES_REQUESTED,
        )  # fmt: skip
    return records


# What sticks out, for the failure message: the outermost elements wider than the window.
WIDEST = """w => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > w + 1
    && e.parentElement.getBoundingClientRect().right <= w + 1)
  .slice(0, 4).map(e => e.tagName + '.' + e.className + ' in ' + e.parentElement.className)"""


def _log_in(context, base: str, username: str):
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "pw-for-tests")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    return page


def test_curation_pages_have_no_axe_violations_and_fit(live_server, curation):
    from playwright.sync_api import sync_playwright

    draft, waiting = curation[Status.DRAFT], curation[Status.CHANGES_REQUESTED]
    pages = {
        "alice": {
            "my-datasets": "/my/datasets/",
            "my-datasets-filtered": "/my/datasets/?status=changes_requested",
            "deposit-new": "/my/datasets/new/",
            "deposit-edit": f"/datasets/{draft.pid}/edit",
            "record-curation": f"/datasets/{waiting.pid}/",
        },
        "curator": {
            "curation-queue": "/curation/",
            "admin-change": f"/admin/catalogue/dataset/{waiting.pk}/change/",
        },
    }
    ARTIFACTS.mkdir(exist_ok=True)
    problems, wide = {}, {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            for width_name, (width, height) in list(WIDTHS.items())[::-1]:
                for user, paths in pages.items():
                    context = browser.new_context(viewport={"width": width, "height": height})
                    page = _log_in(context, live_server.url, user)
                    for name, path in paths.items():
                        response = page.goto(live_server.url + path)
                        assert response.status == 200, (path, response.status)
                        page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
                        scroll = page.evaluate("document.documentElement.scrollWidth")
                        if scroll > width:
                            wide[f"{name} ({width})"] = (scroll, page.evaluate(WIDEST, width))
                        if name.startswith("admin"):
                            continue  # Django's own admin markup: screenshot and width only
                        violations = _axe(page)
                        if violations:
                            problems[f"{name} ({width_name})"] = violations
                    context.close()
        finally:
            browser.close()
    assert wide == {}
    assert problems == {}
