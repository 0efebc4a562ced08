"""The statistics processor against fixture logs: the COUNTER CoP's own examples (§10.2),
the user-session priority (§10.3), robots and machines (§10.5), after-the-fact aggregation."""

import datetime

import pytest

from catalogue.models import Status
from stats import identity
from stats.models import AccessMethod, DatasetUsageMonth, Kind, UsageEvent
from stats.selectors import dataset_usage
from stats.services import Event, new_event_id, usage_events_record, without_double_clicks
from tests.factories import make_dataset

pytestmark = pytest.mark.django_db
UTC = datetime.UTC
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36"


def at(hh_mm_ss: str, day: int = 15) -> datetime.datetime:
    h, m, s = (int(p) for p in hh_mm_ss.split(":"))
    return datetime.datetime(2026, 6, day, h, m, s, tzinfo=UTC)


def log_line(dataset, when, *, who="ip:192.1.1.168|Mozilla/5.0", kind=Kind.INVESTIGATION,
             method=AccessMethod.REGULAR, size=0):  # fmt: skip
    """One line of a fixture log, turned into the events the web process would send."""
    salt = "fixture-salt"
    kinds = [Kind.REQUEST, Kind.INVESTIGATION] if kind == Kind.REQUEST else [kind]
    return [
        Event(
            event_id=new_event_id(),
            dataset_id=dataset.pk,
            version=dataset.version,
            kind=k,
            access_method=method,
            at=when,
            session_id=identity.session_id(salt=salt, identity=who, at=when),
            click_id=identity.click_id(
                salt=salt, identity=who, dataset_pid=str(dataset.pid), kind=k
            ),
            size=size if k == Kind.REQUEST else 0,
        )
        for k in kinds
    ]


def replay(dataset, lines):
    events = [e for line in lines for e in line]
    usage_events_record(events=events)
    return dataset_usage(dataset_id=dataset.pk).as_json()


@pytest.fixture
def dataset():
    return make_dataset(status=Status.PUBLISHED, version="1.0")


def test_code_of_practice_double_click_examples():
    # "a click at 10.01.00 and a second click at 10.01.29 would be considered a double-click
    # (one action); a click at 10.01.00 and a second click at 10.01.35 would count as two".
    assert len(without_double_clicks([("a", at("10:01:00")), ("a", at("10:01:29"))])) == 1
    assert len(without_double_clicks([("a", at("10:01:00")), ("a", at("10:01:35"))])) == 2
    # "Any additional requests for the same URL within 30 seconds (between clicks) MUST be
    # treated identically: always remove the first and retain the second."
    kept = without_double_clicks(
        [("a", at("10:01:00")), ("a", at("10:01:29")), ("a", at("10:01:35"))]
    )
    assert kept == [("a", at("10:01:35"))]
    # Another user (or another kind of access) is never a double-click of this one.
    assert len(without_double_clicks([("a", at("10:01:00")), ("b", at("10:01:10"))])) == 2


def test_fixture_log_totals_and_uniques(dataset):
    report = replay(
        dataset,
        [
            log_line(dataset, at("10:01:00")),
            log_line(dataset, at("10:01:29")),  # double-click of the one before
            log_line(dataset, at("10:01:35")),  # within 30 s of 10:01:29: still one action
            log_line(dataset, at("10:05:00")),  # a second action, same user-session
            log_line(dataset, at("11:05:00")),  # next hour: a new user-session (§10.3)
            log_line(dataset, at("10:06:00"), who="ip:10.0.0.7|Mozilla/5.0"),
            log_line(dataset, at("10:07:00"), kind=Kind.REQUEST, size=1000),
        ],
    )
    # Investigations: the 10:01 run, 10:05, 10:07 (the download is one too), 11:05 and the
    # other visitor; unique: this visitor's 10 h and 11 h sessions and the other visitor's.
    assert report["investigations"] == {"total": 5, "unique": 3}
    assert report["requests"] == {"total": 1, "unique": 1}
    assert report["machine"]["investigations"] == {"total": 0, "unique": 0}
    row = DatasetUsageMonth.objects.get(dataset=dataset)
    assert (row.month, row.version, row.volume) == (datetime.date(2026, 6, 1), "1.0", 1000)
    assert report["by_month"][0]["month"] == "2026-06"


def test_every_request_is_also_an_investigation(dataset):
    report = replay(dataset, [log_line(dataset, at("09:00:00"), kind=Kind.REQUEST)])
    assert report["requests"]["total"] == 1
    assert report["investigations"]["total"] == 1


def test_double_click_is_per_kind_of_access(dataset):
    # A page view, then a download 10 s later: one investigation, one request.
    report = replay(
        dataset,
        [log_line(dataset, at("09:00:00")), log_line(dataset, at("09:00:10"), kind=Kind.REQUEST)],
    )
    assert report["investigations"]["total"] == 1
    assert report["requests"]["total"] == 1


def test_machines_are_counted_apart(dataset):
    report = replay(
        dataset,
        [
            log_line(dataset, at("09:00:00")),
            log_line(
                dataset,
                at("09:00:00"),
                who="ip:1|curl/8.5",
                method=AccessMethod.MACHINE,
                kind=Kind.REQUEST,
            ),
        ],
    )
    assert report["investigations"] == {"total": 1, "unique": 1}
    assert report["requests"] == {"total": 0, "unique": 0}
    assert report["machine"]["requests"] == {"total": 1, "unique": 1}


def test_retried_task_changes_nothing(dataset):
    events = log_line(dataset, at("09:00:00"))
    usage_events_record(events=events)
    usage_events_record(events=events)  # the same event ids again
    assert UsageEvent.objects.count() == 1
    assert dataset_usage(dataset_id=dataset.pk).as_json()["investigations"]["total"] == 1


def test_order_of_arrival_does_not_matter(dataset):
    lines = [log_line(dataset, at("10:01:35")), log_line(dataset, at("10:01:00")),
             log_line(dataset, at("10:01:29"))]  # fmt: skip
    for line in lines:  # one task per access, out of order
        usage_events_record(events=line)
    assert dataset_usage(dataset_id=dataset.pk).as_json()["investigations"]["total"] == 1


def test_versions_and_months_are_kept_apart(dataset):
    replay(dataset, [log_line(dataset, at("10:00:00"))])
    dataset.version = "2.0"
    replay(dataset, [log_line(dataset, at("10:00:00", day=1).replace(month=7))])
    rows = DatasetUsageMonth.objects.filter(dataset=dataset).order_by("month")
    assert [(r.month.month, r.version, r.investigations_total) for r in rows] == [
        (6, "1.0", 1),
        (7, "2.0", 1),
    ]


# --------------------------------------------------------------- identity
def test_session_priority_user_then_session_then_ip_and_agent():
    assert identity.visitor_identity(user_id=7, session_key="s", ip="1.2.3.4", ua="x") == "user:7"
    assert (
        identity.visitor_identity(user_id=None, session_key="s", ip="1.2.3.4", ua="x")
        == "session:s"
    )
    assert (
        identity.visitor_identity(user_id=None, session_key=None, ip="1.2.3.4", ua="x")
        == "ip:1.2.3.4|x"
    )


def test_session_id_is_the_hour_slice_and_hides_the_address():
    a = identity.session_id(salt="s", identity="ip:192.1.1.168|Mozilla/5.0", at=at("13:35:00"))
    b = identity.session_id(salt="s", identity="ip:192.1.1.168|Mozilla/5.0", at=at("13:59:59"))
    c = identity.session_id(salt="s", identity="ip:192.1.1.168|Mozilla/5.0", at=at("14:00:00"))
    d = identity.session_id(salt="t", identity="ip:192.1.1.168|Mozilla/5.0", at=at("13:35:00"))
    assert a == b != c
    assert a != d  # another day's salt
    assert "192.1.1.168" not in a and len(a) == 56


def test_robots_are_excluded_and_machines_flagged():
    assert identity.access_method_for(BROWSER) == AccessMethod.REGULAR
    assert identity.access_method_for("Googlebot/2.1 (+http://www.google.com/bot.html)") is None
    assert identity.access_method_for("Mozilla/5.0 (compatible; bingbot/2.0)") is None
    # Tools researchers use are machines, not robots (CoP §10.5), although COUNTER-Robots'
    # robot list has them too.
    for ua in ("curl/8.5.0", "Wget/1.21.4", "python-requests/2.32.3", "aria2/1.37.0"):
        assert identity.access_method_for(ua) == AccessMethod.MACHINE, ua
    assert identity.access_method_for("") == AccessMethod.MACHINE  # as Counter Processor


def test_salt_is_rotated_daily():
    day = datetime.date(2026, 6, 15)
    first = identity.salt_of(day)
    assert identity.salt_of(day) == first
    second = identity.salt_of(day + datetime.timedelta(days=1))
    assert second != first and len(second) == 64
    identity.salt_of(day + datetime.timedelta(days=2))
    from stats.models import UsageSalt

    assert not UsageSalt.objects.filter(day=day).exists()  # two days old: gone


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_events_of_a_deleted_dataset_are_dropped_not_fatal():
    kept = make_dataset(status=Status.PUBLISHED)
    gone = make_dataset(status=Status.PUBLISHED)
    events = log_line(kept, at("09:00:00")) + log_line(gone, at("09:00:00"))
    gone.delete()
    assert usage_events_record(events=events) == 1
    assert dataset_usage(dataset_id=kept.pk).as_json()["investigations"]["total"] == 1
