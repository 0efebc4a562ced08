"""Registration against the DataCite stand-in: states confirmed by DataCite, idempotent PUTs,
lost answers, ignored events, no-op updates, suffixes, back-off, embedded and production."""

import base64
import random

import pytest

from catalogue.models import Status
from catalogue.services import lifecycle
from catalogue.snapshot import dataset_snapshot
from doi.datacite import datacite_xml
from doi.identifiers import landing_url, random_suffix_body, suffix_is_valid
from doi.models import DoiRegistration, DoiState, ErrorKind
from doi.services import backoff_delay, doi_reserve, doi_sync
from tests.doi.conftest import PREFIX
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db


def _approved(**kwargs):
    ds = make_dataset(Status.IN_REVIEW, **kwargs)
    return lifecycle.dataset_approve(dataset=ds, actor=None)


def _sync(ds, client, **kwargs):
    return doi_sync(registration=ds.doi_registration, client=client, **kwargs)


def test_approval_reserves_a_random_checked_doi_and_sync_makes_a_draft(datacite, client):
    ds = _approved()
    assert ds.doi.startswith(PREFIX + "/")
    suffix = ds.doi.split("/", 1)[1]
    assert len(suffix.replace("-", "")) >= 11 and suffix_is_valid(suffix)
    reg = DoiRegistration.objects.get(dataset=ds)
    assert (reg.doi, reg.state) == (ds.doi, DoiState.RESERVED)
    result = _sync(ds, client)
    assert result.outcome == "in_step"
    # First GET /dois/{doi} (404: the name is free at DataCite), then the PUT creating the draft.
    assert [(m, code) for _, m, _, code in datacite.requests] == [("GET", 404), ("PUT", 201)]
    assert datacite.dois[ds.doi].state == "draft"
    reg.refresh_from_db()
    assert reg.state == DoiState.DRAFT and reg.availability_checked and not reg.pending


def test_publication_makes_the_doi_findable_with_url_and_valid_xml(datacite, client):
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    assert _sync(ds, client).outcome == "in_step"
    stored = datacite.dois[ds.doi]
    assert stored.state == "findable"
    assert stored.url == landing_url(ds.doi)
    assert stored.xml == datacite_xml(dataset_snapshot(ds))
    assert datacite.problems == []
    # A second sync with nothing changed sends nothing (the checksum matches).
    before = len(datacite.requests)
    assert _sync(ds, client).outcome == "in_step"
    assert len(datacite.requests) == before


def test_a_public_change_updates_metadata_and_withdrawal_hides(datacite, client):
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    _sync(ds, client)
    ds.title = "A better title"
    ds.save()
    assert _sync(ds, client).outcome == "in_step"
    assert b"A better title" in datacite.dois[ds.doi].xml
    assert datacite.dois[ds.doi].state == "findable"
    ds = lifecycle.dataset_withdraw(dataset=ds, actor=None, reason="Wrong calibration.")
    assert _sync(ds, client).outcome == "in_step"
    assert datacite.dois[ds.doi].state == "registered"  # hidden; findable DOIs cannot be deleted
    assert DoiRegistration.objects.get(dataset=ds).state == DoiState.REGISTERED


def test_a_put_repeated_after_the_answer_was_lost_ends_in_the_same_single_doi(datacite, client):
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    datacite.faults.extend([None, "drop_after_store"])  # GET fine; PUT stored, answer lost
    first = _sync(ds, client)
    assert first.outcome == "retry"
    reg = DoiRegistration.objects.get(dataset=ds)
    # DataCite has it findable, but no answer said so: the local state claims nothing.
    assert datacite.dois[ds.doi].state == "findable" and reg.state == DoiState.RESERVED
    assert reg.attempts == 1 and reg.error_kind == ErrorKind.TRANSIENT
    assert _sync(ds, client).outcome == "in_step"
    assert list(datacite.dois) == [ds.doi]
    assert [code for *_, code in datacite.requests] == [404, 0, 200]
    reg.refresh_from_db()
    assert reg.state == DoiState.FINDABLE and reg.attempts == 0 and reg.last_error == ""


def test_an_event_datacite_ignores_is_not_taken_for_a_state_change(datacite, client):
    # DataCite made the DOI findable (answer lost), then the dataset was withdrawn: we ask to
    # register the draft we believe in; DataCite ignores it and says findable; we then hide.
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    datacite.faults.extend([None, "drop_after_store"])
    _sync(ds, client)
    ds = lifecycle.dataset_withdraw(dataset=ds, actor=None, reason="Retracted.")
    assert _sync(ds, client).outcome == "in_step"
    assert datacite.dois[ds.doi].state == "registered"
    assert datacite.answered[ds.doi] == ["findable", "registered"]


@pytest.mark.parametrize(
    ("fault", "kind"), [("500", "transient"), ("503", "transient"), ("429", "transient"),
                        ("timeout", "transient"), ("drop", "transient")],
)  # fmt: skip
def test_transient_failures_are_retried_and_recorded(datacite, client, fault, kind):
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    datacite.faults.append(fault)
    result = _sync(ds, client)
    assert result.outcome == "retry" and result.retry_in is not None
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.error_kind == kind and reg.attempts == 1 and not reg.failed
    assert reg.next_attempt_at is not None
    if fault == "429":
        assert result.retry_in >= datacite.retry_after  # Retry-After honoured
    assert _sync(ds, client).outcome == "in_step"


def test_422_fails_at_once_with_datacites_message(datacite, client):
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    datacite.faults.extend([None, "422"])
    assert _sync(ds, client).outcome == "failed"
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.failed and reg.error_kind == ErrorKind.PERMANENT
    assert reg.last_error == "DataCite 422: xml: Simulated refusal"
    assert reg.state == DoiState.RESERVED


def test_bad_credentials_are_a_configuration_error(datacite, client, settings):
    from doi.client import DataCiteClient

    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    with DataCiteClient(base_url=datacite.url, repository_id="TEST.PORTAL", password="wrong",
                        timeout=1) as bad:  # fmt: skip
        assert _sync(ds, bad).outcome == "failed"
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.error_kind == ErrorKind.CONFIGURATION
    assert reg.last_error == "DataCite 401: Bad credentials."


def test_transient_failures_give_up_after_the_limit(datacite, client, settings):
    settings.DATACITE_MAX_ATTEMPTS = 3
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    datacite.fault_for = lambda method, doi: "503"
    outcomes = [_sync(ds, client).outcome for _ in range(3)]
    assert outcomes == ["retry", "retry", "failed"]
    reg = DoiRegistration.objects.get(dataset=ds)
    assert reg.failed and reg.attempts == 3 and "503" in reg.last_error


def test_a_name_datacite_already_holds_is_replaced_before_the_dataset_is_public(datacite, client):
    ds = _approved()
    taken = ds.doi
    datacite.put(taken, b'{"data": {"type": "dois", "attributes": {}}}')  # someone else's draft
    assert _sync(ds, client).outcome == "retry"
    ds.refresh_from_db()
    assert ds.doi != taken and ds.doi.startswith(PREFIX + "/")
    assert _sync(ds, client).outcome == "in_step"
    assert datacite.dois[ds.doi].state == "draft"


def test_existing_dois_never_change(datacite):
    ds = make_dataset(Status.APPROVED)
    ds.doi = "10.80001/legacy.1234"
    ds.save()
    assert doi_reserve(dataset=ds) == "10.80001/legacy.1234"
    assert DoiRegistration.objects.get(dataset=ds).doi == "10.80001/legacy.1234"


def test_suffix_template_prepends_the_facility(datacite, settings):
    settings.DOI_SUFFIX_TEMPLATE = "{facility}.{random}"
    ds = _approved()
    facility, random_part = ds.doi.split("/", 1)[1].split(".", 1)
    assert facility == ds.facility.code.lower() and suffix_is_valid(random_part)


def test_suffixes_are_crockford_base32_with_a_check_character():
    suffixes = {random_suffix_body() for _ in range(2000)}
    assert len(suffixes) == 2000
    for s in suffixes:
        assert len(s) == 12 and s[5] == "-" and set(s) <= set("0123456789abcdefghjkmnpqrstvwxyz-")
        assert suffix_is_valid(s) and suffix_is_valid(s.upper())
    s = next(iter(suffixes))
    # One mistyped character or two swapped neighbours are caught (mod 37 check).
    typo = s[:2] + ("0" if s[2] != "0" else "1") + s[3:]
    assert not suffix_is_valid(typo)
    swapped = s[:6] + s[7] + s[6] + s[8:]
    assert s[6] == s[7] or not suffix_is_valid(swapped)


def test_backoff_grows_exponentially_is_capped_and_honours_retry_after():
    rng = random.Random(1)
    delays = [backoff_delay(attempts=n, base=10, cap=300, rng=rng) for n in range(1, 8)]
    ceilings = [10, 20, 40, 80, 160, 300, 300]
    assert all(c / 2 <= d <= c for d, c in zip(delays, ceilings, strict=True))
    assert backoff_delay(attempts=1, base=1, cap=10, retry_after=42, rng=rng) == 42


def test_embedded_mode_reserves_locally_and_sends_nothing(settings, standin):
    settings.DATACITE_ENABLED = False
    settings.DATACITE_PREFIX = "10.99999"
    ds = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    assert ds.doi.startswith("10.99999/")
    assert DoiRegistration.objects.get(dataset=ds).state == DoiState.RESERVED
    assert doi_sync(registration=ds.doi_registration, client=None).outcome == "disabled"
    assert standin.requests == []


def test_production_refuses_to_publish_without_datacite(settings):
    settings.PRODUCTION = True
    settings.DATACITE_ENABLED = False
    settings.DATACITE_EXPLICITLY_DISABLED = False
    ds = _approved()
    with pytest.raises(lifecycle.TransitionError, match="DataCite is not configured"):
        lifecycle.dataset_publish(dataset=ds, actor=None)
    ds.refresh_from_db()
    assert ds.status == Status.APPROVED
    settings.DATACITE_EXPLICITLY_DISABLED = True
    assert lifecycle.dataset_publish(dataset=ds, actor=None).status == Status.PUBLISHED


def test_the_client_reads_datacites_error_bodies(client, datacite):
    from doi.client import DataCitePermanentError

    # url is required once a DOI is findable: DataCite's 422 body names the attribute.
    xml = base64.b64encode(b"<x/>").decode()
    with pytest.raises(DataCitePermanentError) as info:
        client.put_doi(f"{PREFIX}/abc", {"event": "publish", "xml": xml})
    assert info.value.status == 422
    with pytest.raises(DataCitePermanentError) as info:
        client.put_doi(f"{PREFIX}/abc", {"event": "publish"})
    assert info.value.errors[0]["source"] in {"url", "xml"}
    record = client.put_doi(f"{PREFIX}/abc", {})
    assert record.created and record.state == "draft"
    assert client.put_doi(f"{PREFIX}/abc", {}).created is False
    assert client.get_doi(f"{PREFIX}/nothing") is None


def test_the_beat_task_picks_up_lost_and_healed_registrations(datacite, settings):
    import datetime

    from django.utils import timezone

    from doi.services import stale_registrations
    from doi.tasks import sync_stale

    lost = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    refused = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    fresh = lifecycle.dataset_publish(dataset=_approved(), actor=None)
    old = timezone.now() - datetime.timedelta(hours=2)
    # A task lost with the broker (never ran), a 422 refusal, and one queued a moment ago.
    DoiRegistration.objects.filter(dataset=lost).update(updated_at=old)
    DoiRegistration.objects.filter(dataset=refused).update(
        updated_at=old, failed=True, error_kind=ErrorKind.PERMANENT, last_error="DataCite 422"
    )
    assert set(stale_registrations().values_list("dataset", flat=True)) == {lost.pk}
    assert sync_stale.delay().get() == 1
    assert datacite.dois[lost.doi].state == "findable"
    assert refused.doi not in datacite.dois and fresh.doi not in datacite.dois
    # A configuration error heals on the administrators' side: tried again after an hour.
    DoiRegistration.objects.filter(dataset=refused).update(error_kind=ErrorKind.CONFIGURATION)
    assert sync_stale.delay().get() == 1
    assert datacite.dois[refused.doi].state == "findable"
