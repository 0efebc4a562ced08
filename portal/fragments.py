"""Rendered template fragments, memoized per process by the exact values they are given.

A search page renders the same result cards, facet lists and key list again and again: the
same hits for the same words, the same (shared, cached) facet counts, the same key list for
five minutes. Rendering them is most of the page's CPU. A fragment here is a partial template
that reads *nothing but its arguments* (no ``request``, no context processors, no user), so its
HTML is a pure function of (template, language, time zone, arguments): the memo's key holds
all of them, type by type (``True``, ``1`` and ``1.0`` are different keys), so a hit returns
exactly what rendering would. Nothing about who asked is in the key or in the output: a user
only ever gets the HTML of values their own request computed.

Values that cannot be frozen exactly (objects other than dataclasses, containers, plain
scalars and lazy translations) are rendered without the memo. The memo is bounded (least
recently used entries go), and off with DEBUG, where templates are reread on every request.
"""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import uuid
from collections import OrderedDict
from threading import Lock

from django.conf import settings
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import SafeString, mark_safe

MEMO_SIZE = 2048  # entries of a few KiB (a card) to ~10 KiB (a long facet list) each
_SCALARS = frozenset(
    {str, SafeString, int, float, bool, type(None), decimal.Decimal, uuid.UUID, datetime.date}
)
_memo: OrderedDict[tuple, str] = OrderedDict()
_lock = Lock()


class _Unfreezable(TypeError):
    pass


def _freeze(value):
    """A hashable key that is equal only for values that render the same, type for type."""
    kind = type(value)
    if kind in _SCALARS:
        return (kind, value)
    if isinstance(value, Promise):
        # A lazy translation (what ``_("…")`` gives a template tag's argument): it renders as
        # its text in the active language, which is in the key.
        return (Promise, str(value))
    if kind is datetime.datetime:
        return (kind, value.isoformat(), str(value.tzinfo))  # equal instants may differ in zone
    if kind in (tuple, list):
        return (kind, tuple(_freeze(v) for v in value))
    if kind is dict:
        return (kind, tuple((_freeze(k), _freeze(v)) for k, v in value.items()))
    if kind in (set, frozenset):
        return (kind, frozenset(_freeze(v) for v in value))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (kind, tuple(_freeze(getattr(value, f.name)) for f in dataclasses.fields(value)))
    raise _Unfreezable(kind)


def render_fragment(template_name: str, context: dict) -> SafeString:
    """The partial ``template_name`` rendered with ``context`` only (autoescaped, no request)."""
    if settings.DEBUG:  # templates are reread on every request there: so are fragments
        return mark_safe(get_template(template_name).render(context))  # noqa: S308
    try:
        key = (
            template_name,
            translation.get_language(),
            timezone.get_current_timezone_name(),
            tuple((name, _freeze(value)) for name, value in sorted(context.items())),
        )
    except _Unfreezable:
        return mark_safe(get_template(template_name).render(context))  # noqa: S308
    with _lock:
        html = _memo.get(key)
        if html is not None:
            _memo.move_to_end(key)
            return mark_safe(html)  # noqa: S308 - rendered by the template engine, escaped there
    html = get_template(template_name).render(context)
    with _lock:
        _memo[key] = html
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return mark_safe(html)  # noqa: S308


def fragments_forget() -> None:
    """Empty the memo (tests; a process that reloads its templates)."""
    with _lock:
        _memo.clear()
