"""The whole review loop in Debian's Chromium, on a live server (issue 12 "Tests").

alice deposits through the deposit form, sees the blocking checklist items, fixes them
(a creator, the publisher, an uploaded file) and submits; the curator finds it in the review
queue and requests changes with a comment; alice reads the comment on her dataset page,
answers and resubmits; the curator approves and publishes. Then the landing page, the search
(on the real Elasticsearch) and OAI-PMH (the Sickle client) show the record, and every
notification went to the right ``To``. DataCite is off (the portal reserves the DOI itself under
the configured prefix), as in every test that does not start the DataCite stand-in.
"""

import re

import pytest
from sickle import Sickle

from tests.catalogue.search.conftest import es_index  # noqa: F401 (a fixture)
from tests.factories import CuratorFactory, GroupFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    pytest.mark.search,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
LAUNCH_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TITLE = "Operando SAXS of zeolite crystallisation in a microfluidic mixer"
COMMENT = "Please give the publisher and say in the abstract at which temperature you measured."
ANSWER = "Done: 80 °C, now in the abstract."


@pytest.fixture
def people(settings, es_index):  # noqa: F811
    # Created before Playwright starts: its event loop makes Django refuse ORM calls.
    settings.DATACITE_ENABLED = False
    alice = UserFactory(username="alice", email="alice@example.org")
    alice.groups.add(GroupFactory(name="p-1"))
    CuratorFactory(username="carol", email="carol@facility.example.org")
    UserFactory(username="bystander", email="bystander@example.org")  # hears nothing


def _log_in(browser, base: str, username: str):
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=login]", username)
    page.fill("input[name=password]", "pw-for-tests")
    page.press("input[name=password]", "Enter")
    page.wait_for_load_state()
    assert page.locator("input[name=password]").count() == 0, f"{username} is not logged in"
    return page


def _press(page, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()
    page.wait_for_load_state()


def _status(page) -> str:
    return page.locator("#curation [data-status]").first.get_attribute("data-status")


def test_deposit_review_publish_in_chromium(live_server, people, mailoutbox):
    from playwright.sync_api import sync_playwright

    base = live_server.url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=LAUNCH_ARGS)
        try:
            # alice deposits: a title and an abstract only.
            alice = _log_in(browser, base, "alice")
            alice.goto(f"{base}/my/datasets/new/")
            alice.fill("#f-title", TITLE)
            alice.fill("#f-description", "Small-angle scattering while zeolite A grows.")
            alice.fill("#f-keywords", "SAXS, zeolite, microfluidics")
            _press(alice, "Save and see the checklist")
            found = re.search(r"/datasets/([0-9a-f-]{36})", alice.url)
            assert found, (alice.url, alice.locator(".field-error, .messages").all_inner_texts())
            pid = found.group(1)
            # The checklist blocks: no creator, no publisher, no file; Submit is disabled.
            blocking = alice.locator("#curation li.check-blocking").evaluate_all(
                "items => items.map(i => i.dataset.check)"
            )
            assert {"datacite.creators", "datacite.publisher", "files.present"} <= set(blocking)
            submit = alice.get_by_role("button", name="Submit for review")
            assert submit.is_disabled()

            # She fixes it in the form: a creator with an ORCID iD, the publisher, a file.
            alice.get_by_role("link", name="Edit the record and files").click()
            alice.fill("input[name=creators-0-name]", "Okafor, Amara")
            alice.fill("input[name=creators-0-orcid]", "0000-0002-1694-233X")
            alice.fill("#f-publisher", "Example Light Source")
            alice.fill("#f-publication_year", "2026")
            alice.set_input_files(
                "#f-upload",
                files=[
                    {
                        "name": "saxs_0001.csv",
                        "mimeType": "text/csv",
                        "buffer": b"q,intensity\n0.01,1200\n0.02,900\n",
                    }
                ],
            )
            _press(alice, "Save and see the checklist")
            still = alice.locator("#curation li.check-blocking").all_inner_texts()
            assert still == [], still
            _press(alice, "Submit for review")
            assert _status(alice) == "submitted"

            # The curator finds it in the queue, starts the review and asks for changes.
            carol = _log_in(browser, base, "carol")
            carol.goto(f"{base}/curation/")
            carol.get_by_role("link", name=TITLE).first.click()
            _press(carol, "Start review")
            assert _status(carol) == "in_review"
            carol.fill("#comment-changes_requested", COMMENT)
            _press(carol, "Request changes")
            assert _status(carol) == "changes_requested"

            # alice sees the comment on her dataset page, answers, fixes, resubmits.
            alice.goto(f"{base}/datasets/{pid}/")
            conversation = alice.locator("#curation .conversation")
            assert COMMENT in conversation.inner_text()
            alice.fill("#new-comment", ANSWER)
            _press(alice, "Comment")
            alice.get_by_role("link", name="Edit the record and files").click()
            alice.fill("#f-description", "Small-angle scattering while zeolite A grows at 80 °C.")
            _press(alice, "Save and see the checklist")
            _press(alice, "Resubmit")
            assert _status(alice) == "submitted"
            said = alice.locator("#curation .conversation").inner_text()
            assert ANSWER in said and "edited description" in said

            # The curator approves and publishes.
            carol.goto(f"{base}/datasets/{pid}/")
            assert ANSWER in carol.locator("#curation .conversation").inner_text()
            _press(carol, "Start review")
            _press(carol, "Approve")
            _press(carol, "Publish (mint DOI)")
            assert _status(carol) == "published"

            # Anyone: the landing page, the search (Elasticsearch), OAI-PMH.
            public = browser.new_context().new_page()
            public.goto(f"{base}/datasets/{pid}/")
            assert re.search(r"/doi/10\.\d{4,}/", public.url), public.url
            doi = public.url.split("/doi/", 1)[1]
            assert public.locator("h1").inner_text() == TITLE
            assert public.locator("#curation").count() == 0
            public.goto(f"{base}/search/?q=zeolite+microfluidic")
            hits = public.locator(".result-title a").all_inner_texts()
            assert TITLE in hits
        finally:
            browser.close()

    records = list(Sickle(base + "/oai", max_retries=0, timeout=30).ListRecords(
        metadataPrefix="oai_dc", ignore_deleted=True))  # fmt: skip
    shown = [r for r in records if TITLE in r.metadata.get("title", [])]
    assert len(shown) == 1
    # Only reserved (DataCite is off): doi.org would not resolve it, so OAI-PMH gives the
    # record's own URL, never a dead https://doi.org/ link.
    identifiers = shown[0].metadata["identifier"]
    assert any(pid in i for i in identifiers), identifiers
    assert not any(doi.lower() in i.lower() for i in identifiers), (doi, identifiers)

    # One message per recipient, addressed in To; the bystander hears nothing.
    sent = [(m.to, m.subject) for m in mailoutbox]
    to = [m.to for m in mailoutbox]
    assert all(len(t) == 1 for t in to), sent
    assert ["bystander@example.org"] not in to
    curators, owner = ["carol@facility.example.org"], ["alice@example.org"]
    assert to == [
        curators,  # submitted
        owner,  # changes requested, with the comment
        curators,  # alice's answer
        curators,  # resubmitted
        owner,  # approved
        owner,  # published
    ], sent
    assert COMMENT in mailoutbox[1].body and ANSWER in mailoutbox[2].body
