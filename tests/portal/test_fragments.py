"""portal.fragments: memoized partials give exactly what rendering them would, for each value."""

import datetime
from dataclasses import dataclass

import pytest
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext as _

from catalogue.search.backends import KeyInfo
from portal import fragments

USAGE_CHART = "includes/usage_chart.html"
KEYS = "search/key_datalists.html"


@pytest.fixture(autouse=True)
def _empty_memo():
    fragments.fragments_forget()
    yield
    fragments.fragments_forget()


def _bars(views: int):
    month = datetime.date(2026, 1, 1)
    return [
        {"month": month, "views": views, "downloads": 0, "x": 2, "views_y": 4.0,
         "views_h": 56.0, "downloads_y": 60.0, "downloads_h": 0.0}
    ]  # fmt: skip


def _direct(name: str, context: dict) -> str:
    from django.template.loader import get_template

    return get_template(name).render(context)


def test_a_memoized_fragment_is_what_rendering_gives_and_the_second_call_is_a_hit():
    context = {"bars": _bars(1234), "chart_id": "c", "label": "Views"}
    first = fragments.render_fragment(USAGE_CHART, context)
    assert first == _direct(USAGE_CHART, context)
    assert "1,234 views" in first
    assert len(fragments._memo) == 1
    assert fragments.render_fragment(USAGE_CHART, dict(context)) == first
    assert len(fragments._memo) == 1


def test_values_that_compare_equal_but_render_differently_are_different_keys():
    # 1 == 1.0 == True in Python; a memo keyed on equality alone would mix them up.
    keys = {}
    for value in (1, 1.0, True):
        context = {"keys": [KeyInfo(key="k", count=2, units=(str(value),))], "units": [value]}
        keys[type(value)] = fragments.render_fragment(KEYS, context)
        assert keys[type(value)] == _direct(KEYS, context)
    assert len(set(keys.values())) == 3
    assert len(fragments._memo) == 3


def test_each_language_has_its_own_entry():
    context = {"bars": _bars(5), "chart_id": "c", "label": "x"}
    with translation.override("en"):
        english = fragments.render_fragment(USAGE_CHART, context)
    with translation.override("de"):
        german = fragments.render_fragment(USAGE_CHART, context)
        assert german == _direct(USAGE_CHART, context)
    assert english != german
    assert "5 views" in english
    assert "5 views" not in german


def test_a_changed_value_renders_anew():
    a = fragments.render_fragment(USAGE_CHART, {"bars": _bars(1), "chart_id": "c", "label": "x"})
    b = fragments.render_fragment(USAGE_CHART, {"bars": _bars(2), "chart_id": "c", "label": "x"})
    assert "1 views" in a
    assert "2 views" in b


def test_values_it_cannot_freeze_exactly_are_rendered_without_the_memo():
    class Opaque:
        key, count, units = "opaque.key", 3, ()

    html = fragments.render_fragment(KEYS, {"keys": [Opaque()], "units": []})
    assert 'value="opaque.key"' in html
    assert fragments._memo == {}


def test_datetimes_of_the_same_instant_in_other_zones_are_different_keys():
    utc = datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)
    other = utc.astimezone(datetime.timezone(datetime.timedelta(hours=2)))
    assert utc == other
    assert fragments._freeze(utc) != fragments._freeze(other)


def test_dataclasses_are_frozen_field_by_field_including_fields_left_out_of_eq():
    @dataclass(frozen=True)
    class Hit:
        title: str
        extra: dict | None = None

    assert fragments._freeze(Hit("a", {"x": 1})) != fragments._freeze(Hit("a", {"x": 2}))


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(fragments, "MEMO_SIZE", 3)
    for views in range(5):
        context = {"bars": _bars(views), "chart_id": "c", "label": "x"}
        fragments.render_fragment(USAGE_CHART, context)
    assert len(fragments._memo) == 3


def test_the_template_tag_renders_like_include():
    tag = Template('{% load fragments %}{% fragment "includes/usage_chart.html" bars=bars '
                   'chart_id="c" label="L" %}')  # fmt: skip
    include = Template('{% include "includes/usage_chart.html" with bars=bars chart_id="c" '
                       'label="L" %}')  # fmt: skip
    context = {"bars": _bars(7)}
    assert tag.render(Context(context)) == include.render(Context(context))


def test_with_debug_nothing_is_memoized(settings):
    settings.DEBUG = True
    fragments.render_fragment(USAGE_CHART, {"bars": _bars(1), "chart_id": "c", "label": "x"})
    assert fragments._memo == {}


def test_a_translated_literal_argument_is_memoized_in_each_language():
    # ``label=_("…")`` reaches the tag as a lazy translation, as in includes/usage_summary.html;
    # before it was frozen as its text, every record page rendered its chart again.
    label = "Views and downloads per month, last 12 months"
    tag = Template(
        '{% load fragments %}{% fragment "includes/usage_chart.html" bars=bars chart_id="c" '
        f'label=_("{label}") %}}'
    )
    context = {"bars": _bars(3)}
    with translation.override("en"):
        english = tag.render(Context(context))
        assert tag.render(Context(context)) == english
    assert len(fragments._memo) == 1
    with translation.override("de"):
        german = tag.render(Context(context))
        assert tag.render(Context(context)) == german
        direct = _direct(USAGE_CHART, {**context, "chart_id": "c", "label": _(label)})
    assert len(fragments._memo) == 2
    assert label in english
    assert label not in german
    assert german == direct
