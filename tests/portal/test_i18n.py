"""English and German (issue 16 §2): the catalogue of translations is complete and up to date,
the main pages render without English in German, machine paths never change language, URLs
are the same in both, numbers in attributes stay machine-readable, labels are configurable and
e-mails reach people in their language."""

import importlib.util
import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation
from lxml import html as lxml_html

from catalogue.models import Status
from catalogue.services import lifecycle
from catalogue.services.files import FileRecord, dataset_files_register
from portal.labels import check_portal_labels, field_label
from portal.models import LanguagePreference
from tests.factories import (
    BeamtimeFactory,
    CuratorFactory,
    DataFileFactory,
    FacilityFactory,
    GroupFactory,
    InstrumentFactory,
    UserFactory,
    make_dataset,
)

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("portal_i18n_script", ROOT / "scripts" / "i18n.py")
i18n_script = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(i18n_script)

DE = {"HTTP_ACCEPT_LANGUAGE": "de-DE,de;q=0.9,en;q=0.5"}
# Words that appear in the English page text and never in the German translation. A visible
# text node with one of them on a German page is an untranslated string.
ENGLISH_WORDS = {
    "the", "and", "of", "with", "your", "you", "for", "this", "these", "that", "from", "here",
    "has", "have", "are", "not", "yet", "Search", "Files", "files", "file", "Published",
    "published", "datasets", "Datasets", "dataset", "Abstract", "Checklist", "Log", "Views",
    "views", "Facility", "Facilities", "Licence", "Access", "Save", "Edit", "Title", "Keywords",
    "Creators", "Review", "queue", "statistics", "Usage", "Page", "Previous", "Sort", "Unit",
    "Value", "Key", "Home", "Profile", "Cite", "Export", "Language", "Skip",
    "Folder", "Size", "Path", "Checksum", "Preview", "Next", "Last", "First", "Filters",
    "Apply", "Clear", "Waiting", "Submitter", "Reviewer", "Actions", "Assign", "Claim",
    "Nothing", "Deposit", "Description", "Contributors", "Publisher", "Sample", "Beamtime",
    "Proposal", "Identifiers", "Funding", "machines", "Machines", "Month", "Totals",
    "Unique", "downloads", "Harvesting and", "Examples", "Endpoint", "returns", "Base",
    "Password", "Forgot", "Remember", "Sign",
}  # fmt: skip
# Text that is data or a proper name, not page text.
SKIP_TAGS = {"script", "style", "code", "pre", "option", "datalist", "title"}
TEXT_ATTRIBUTES = ("aria-label", "placeholder", "title", "alt")


@pytest.fixture(autouse=True)
def _compiled_messages():
    """The .mo files are build output (make install compiles them); compile when stale."""
    for po in (ROOT / "locale").glob("*/LC_MESSAGES/django.po"):
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            i18n_script.compile_all()
            translation.trans_real._translations.clear()
            translation.trans_real._default = None
            break


def visible_english(page: str, *, skip: tuple[str, ...] = ()) -> list[str]:
    """Visible text (and accessible names) of ``page`` that contain an English word."""
    tree = lxml_html.fromstring(page)
    found = []
    for element in tree.iter():
        if not isinstance(element.tag, str) or element.tag in SKIP_TAGS:
            continue
        if any(a.tag in SKIP_TAGS or a.get("lang", "de") != "de" for a in element.iterancestors()):
            continue
        if element.get("lang", "de") != "de" or element.get("translate") == "no":
            continue
        texts = [element.text or ""] + [child.tail or "" for child in element]
        texts += [element.get(a) or "" for a in TEXT_ATTRIBUTES]
        for text in texts:
            for item in skip:
                text = text.replace(item, "")
            words = set(re.findall(r"[A-Za-z]+", text))
            pairs = {f"{a} {b}" for a, b in zip(text.split(), text.split()[1:], strict=False)}
            if (words | pairs) & ENGLISH_WORDS:
                found.append(" ".join(text.split()))
    return found


# ------------------------------------------------------------------ the catalogue of messages


def test_every_german_msgid_is_translated():
    missing, fuzzy = i18n_script.untranslated("de")
    assert [m.id for m in missing] == []
    assert [m.id for m in fuzzy] == []


def test_po_is_up_to_date_with_the_code():
    """What makemessages would add (or drop): templates through Django's templatize, Python
    with Django's keywords. Run `make messages` when this fails."""
    catalog = i18n_script.read_catalog("de")
    in_po = {(m.context, m.id if isinstance(m.id, str) else m.id[0]) for m in catalog if m.id}
    in_code = i18n_script.code_msgids()
    assert sorted(k[1] for k in set(in_code) - in_po) == []
    assert sorted(k[1] for k in in_po - set(in_code)) == []


MAIN_TEMPLATES = [
    "templates/base.html", "templates/includes/header.html", "templates/includes/footer.html",
    "templates/includes/language_switcher.html", "templates/catalogue/home.html",
    "templates/search/search.html", "templates/search/result.html",
    "templates/search/facet_values.html", "templates/landing/landing.html",
    "templates/includes/file_browser.html", "templates/includes/file_table.html",
    "templates/includes/curation_panel.html", "templates/includes/usage_summary.html",
    "templates/curation/my_datasets.html", "templates/curation/queue.html",
    "templates/curation/deposit.html", "templates/stats/statistics.html",
    "templates/portal/harvesting.html", "templates/account/login.html",
    "templates/404.html", "templates/403.html", "templates/400.html", "templates/410.html",
    "templates/500.html", "templates/503.html", "templates/mail/event.txt",
    "templates/mail/event.html", "templates/mail/reminder.txt", "templates/mail/reminder.html",
]  # fmt: skip


def test_every_msgid_of_the_main_templates_has_a_german_translation():
    catalog = i18n_script.read_catalog("de")
    translated = {
        m.id if isinstance(m.id, str) else m.id[0]
        for m in catalog
        if m.id
        and not m.fuzzy
        and all(m.string if isinstance(m.string, (tuple, list)) else [m.string])
    }
    used = {k[1]: f for k, f in i18n_script.code_msgids().items() if f in MAIN_TEMPLATES}
    assert len(used) > 300
    assert {msgid: f for msgid, f in used.items() if msgid not in translated} == {}


# ------------------------------------------------------------------ pages in German


@pytest.fixture
def site(db):
    """A small catalogue whose own data (titles, names) contain no English page words."""
    facility = FacilityFactory(code="petra", name="PETRA III", short_name="PETRA III")
    instrument = InstrumentFactory(facility=facility, code="p11", name="P11")
    beamtime = BeamtimeFactory(
        proposal__facility=facility, proposal__title="Proteinkristalle", instrument=instrument
    )
    group = GroupFactory(name="p-11")
    owner = UserFactory(username="anna", email="anna@example.org")
    owner.groups.add(group)
    common = dict(
        facility=facility, instrument=instrument, owner_group=group, publisher="DESY",
        description="Messreihe Nummer sieben.", keywords=["Lysozym"], creators=["Okafor, Amara"],
    )  # fmt: skip
    published = make_dataset(
        status=Status.PUBLISHED, title="Lysozym bei 100 K", license="CC-BY-4.0",
        beamtime=beamtime, sample_name="Lysozym",
        scientific_metadata={"energy": {"value": 12.4, "unit": "keV"}}, **common,
    )  # fmt: skip
    files = [
        FileRecord(path=f"raw/scan_{s:02d}/bild_{i:04d}.h5", size=1_500_000 + i)
        for s in range(2)
        for i in range(30)
    ]
    dataset_files_register(dataset=published, files=files)
    draft = make_dataset(status=Status.DRAFT, title="Myoglobin bei 80 K", **common)
    DataFileFactory(dataset=draft, path="roh/a.h5")
    submitted = make_dataset(status=Status.SUBMITTED, title="Ferritin bei 90 K", **common)
    curator = CuratorFactory(username="kurt", email="kurt@example.org")
    published.refresh_from_db()
    return {"published": published, "draft": draft, "submitted": submitted,
            "owner": owner, "curator": curator}  # fmt: skip


def _german(client, path, **extra):
    response = client.get(path, **DE, **extra)
    assert response.status_code == 200, (path, response.status_code)
    assert response["Content-Language"] == "de"
    page = response.content.decode()
    assert '<html lang="de">' in page
    return page


def test_main_pages_in_german_have_no_english_text(client, site):
    ds = site["published"]
    public = {
        "home": "/",
        "search": "/search/?q=Lysozym",
        "search-empty": "/search/?q=nichtvorhanden",
        "record": f"/doi/{ds.doi}",
        "folder": f"/doi/{ds.doi}?path=raw/scan_01/",
        "statistics": "/statistics/",
        "harvesting": "/harvesting/",
        "log-in": "/accounts/login/",
        "not-found": "/doi/10.9999/nichts",
    }
    problems = {}
    # Names: of the site, the facility, a person, and a standard.
    skip = ("PETRA III", "PaN Open Data Portal", "Okafor, Amara", "DESY",
            "COUNTER Code of Practice for Research Data",
            "Photon and Neutron Experimental Techniques")  # fmt: skip
    for name, path in public.items():
        response = client.get(path, **DE)
        page = response.content.decode()
        assert '<html lang="de">' in page, name
        if found := visible_english(page, skip=skip):
            problems[name] = found
    client.force_login(site["owner"])
    owner_pages = {
        "my-datasets": "/my/datasets/",
        "deposit-new": "/my/datasets/new/",
        "deposit-edit": f"/datasets/{site['draft'].pid}/edit",
        "draft-record": site["draft"].get_absolute_url(),
        "profile": "/accounts/profile/",
        "tokens": "/accounts/tokens/",
    }
    for name, path in owner_pages.items():
        if found := visible_english(_german(client, path), skip=(*skip, "anna")):
            problems[name] = found
    client.force_login(site["curator"])
    curator_pages = {"curation": "/curation/", "submitted": site["submitted"].get_absolute_url()}
    for name, path in curator_pages.items():
        if found := visible_english(_german(client, path), skip=(*skip, "kurt")):
            problems[name] = found
    assert problems == {}, json.dumps(problems, indent=1, ensure_ascii=False)


def test_the_check_finds_english_text(client, site):
    """The check itself: the English page is full of the words it looks for."""
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert '<html lang="en">' in page
    assert len(visible_english(page.replace('lang="en"', 'lang="de"'))) > 10


def test_german_page_text_and_localised_dates_and_numbers(client, site):
    ds = site["published"]
    page = _german(client, f"/doi/{ds.doi}")
    assert "Diesen Datensatz zitieren" in page
    assert "Kontext der Einrichtung" in page
    assert "Veröffentlicht am 1. Mai 2024" in page  # DATE_FORMAT "j. F Y" and German months
    assert "60 Dateien, 85,8\xa0MB" in page  # file count and a German decimal comma in the size
    en = client.get(f"/doi/{ds.doi}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Published 1 May 2024" in en and "60 files, 85.8\xa0MB" in en
    # Status names and facet labels follow the language too.
    client.force_login(site["owner"])
    assert "Entwurf" in _german(client, "/my/datasets/")
    assert "Datensätze durchsuchen" in _german(client, "/search/?q=Lysozym")
    from catalogue.search.views import facet_label

    with translation.override("de"):
        assert (facet_label("facility"), facet_label("license")) == ("Einrichtung", "Lizenz")


def test_machine_readable_values_are_not_localised(client, site):
    ds = site["published"]
    de = client.get(f"/doi/{ds.doi}", **DE).content.decode()
    en = client.get(f"/doi/{ds.doi}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # JSON-LD and the citation meta tags are the same bytes in both languages.
    jsonld = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)
    assert json.loads(jsonld.search(de).group(1)) == json.loads(jsonld.search(en).group(1))
    meta = re.compile(r'<meta name="(?:citation_|DC\.)[^>]*>')
    assert meta.findall(de) == meta.findall(en)
    # No decimal comma in numeric attributes or data-* values (SVG, inputs, ordered lists).
    numeric = re.compile(r'\s(?:x|y|width|height|start|min|max|value|data-[\w-]+)="(\d+,\d+)"')
    for page in (de, _german(client, "/statistics/"), _german(client, "/search/?q=Lysozym")):
        assert numeric.findall(page) == []
    # The links of the page are the same: URLs never carry a language.
    href = re.compile(r'href="(/[^"]*)"')
    assert sorted(set(href.findall(de)) - {"/i18n/setlang/"}) == sorted(set(href.findall(en)))


def test_machine_paths_never_change_language(client, site):
    ds = site["published"]
    nobody = "/api/v1/datasets/00000000-0000-0000-0000-000000000000"
    for path in (f"/api/v1/datasets/{ds.pid}", nobody, "/oai?verb=Nonsense",
                 f"/doi/{ds.doi}/export/datacite-xml", f"/doi/{ds.doi}/linkset.json",
                 f"/doi/{ds.doi}/manifest.meta4"):  # fmt: skip
        de = client.get(path, **DE)
        en = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
        assert de.status_code == en.status_code, path
        body = b"".join(de.streaming_content) if de.streaming else de.content
        assert body == (b"".join(en.streaming_content) if en.streaming else en.content), path
        assert "Content-Language" not in de and "Accept-Language" not in de.get("Vary", ""), path
    # DRF's own messages (it ships German ones) stay English on the API.
    missing = client.get("/api/v1/datasets/00000000-0000-0000-0000-000000000000", **DE)
    assert missing.status_code == 404 and "Nicht gefunden" not in missing.content.decode()
    # Content negotiation on the DOI URL: the same metadata whatever the language.
    accept = {"HTTP_ACCEPT": "application/vnd.datacite.datacite+xml"}
    assert (
        client.get(f"/doi/{ds.doi}", **DE, **accept).content
        == client.get(f"/doi/{ds.doi}", HTTP_ACCEPT_LANGUAGE="en", **accept).content
    )


def test_language_switcher_keeps_the_page_and_the_url(client, site):
    ds = site["published"]
    page = client.get(f"/doi/{ds.doi}?path=raw/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'name="next"' in page
    response = client.post("/i18n/setlang/", {"language": "de", "next": f"/doi/{ds.doi}?path=raw/"})
    assert response.status_code == 302 and response["Location"] == f"/doi/{ds.doi}?path=raw/"
    assert response.cookies["portal_language"].value == "de"
    # Without Accept-Language, the cookie decides; the URL stays /doi/… (no /de/ prefix).
    page = client.get(f"/doi/{ds.doi}?path=raw/").content.decode()
    assert '<html lang="de">' in page and "Alle Dateien" in page
    # An unsafe next= is refused (Django's url_has_allowed_host_and_scheme).
    evil = client.post("/i18n/setlang/", {"language": "en", "next": "https://evil.example/"})
    assert evil["Location"] == "/"
    assert client.get("/i18n/setlang/").status_code == 405


def test_accept_language_is_honoured_and_english_is_the_default(client, site):
    assert '<html lang="en">' in client.get("/").content.decode()
    assert '<html lang="en">' in client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="de-AT")
    assert '<html lang="de">' in response.content.decode()
    assert "Accept-Language" in response["Vary"]


def test_error_pages_in_german(client, site, settings):
    page = client.get("/datasets/00000000-0000-0000-0000-000000000000/", **DE)
    assert page.status_code == 404
    assert "Diese Seite haben wir nicht gefunden" in page.content.decode()
    with translation.override("de"):
        from django.template.loader import render_to_string

        assert "Bei uns ist etwas schiefgegangen" in render_to_string("500.html")
        assert "kurz nicht erreichbar" in render_to_string("503.html")
        assert "Ungültige Anfrage" in render_to_string("400.html", {"site_name": "X"})


# ------------------------------------------------------------------ labels and e-mail


def test_facility_labels_rename_fields_per_language(client, site, settings):
    ds = site["published"]
    settings.PORTAL_LABELS = {
        "proposal": {"en": "Beamtime application", "de": "Strahlzeitantrag"},
        "beamtime": {"de": "Messzeit"},
    }
    assert check_portal_labels() == []
    en = client.get(f"/doi/{ds.doi}", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    de = _german(client, f"/doi/{ds.doi}")
    assert "<dt>Beamtime application</dt>" in en and "<dt>Proposal</dt>" not in en
    assert "<dt>Strahlzeitantrag</dt>" in de and "<dt>Messzeit</dt>" in de
    assert "<dt>Beamtime</dt>" in en  # no English label configured: the portal's own
    assert field_label("facility", "de") == "Einrichtung"
    # The API is not relabelled: keys and values stay as they are.
    assert "Strahlzeitantrag" not in client.get(f"/api/v1/datasets/{ds.pid}", **DE).content.decode()


def test_bad_label_settings_are_system_check_errors(settings):
    settings.PORTAL_LABELS = {"propsal": {"en": "X"}, "sample": {"fr": "Échantillon"},
                              "facility": {"de": ""}}  # fmt: skip
    ids = sorted(e.id for e in check_portal_labels())
    assert ids == ["portal.E102", "portal.E103", "portal.E104"]
    settings.PORTAL_LABELS = ["not", "a", "mapping"]
    assert [e.id for e in check_portal_labels()] == ["portal.E101"]


def test_mail_goes_out_in_the_recipients_language(site, django_capture_on_commit_callbacks):
    draft, owner = site["draft"], site["owner"]
    german = CuratorFactory(username="greta", email="greta@example.org")
    LanguagePreference.objects.create(user=german, language="de")
    english = site["curator"]  # no preference: the default language
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.dataset_submit(dataset=draft, actor=owner)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) >= {german.email, english.email}
    de, en = by_address[german.email], by_address[english.email]
    assert "ist jetzt: Eingereicht" in de.body and "Datensatz und Unterhaltung öffnen" in de.body
    assert 'lang="de"' in de.alternatives[0][0]
    assert "is now: Submitted" in en.body and "Open the dataset" in en.body
    assert de.subject == "„Myoglobin bei 80 K“: Eingereicht"
    assert en.subject == "“Myoglobin bei 80 K”: submitted"


def test_switching_language_when_logged_in_is_remembered_for_mail(client, site):
    owner = site["owner"]
    client.force_login(owner)
    client.post("/i18n/setlang/", {"language": "de", "next": "/my/datasets/"})
    assert LanguagePreference.objects.get(user=owner).language == "de"
    client.post("/i18n/setlang/", {"language": "en", "next": "/my/datasets/"})
    assert LanguagePreference.objects.get(user=owner).language == "en"


def test_logging_in_in_german_records_german(client, site):
    user = UserFactory(username="lena", email="lena@example.org")
    response = client.post("/accounts/login/", {"login": "lena", "password": "pw-for-tests"}, **DE)
    assert response.status_code == 302
    assert LanguagePreference.objects.get(user=user).language == "de"
