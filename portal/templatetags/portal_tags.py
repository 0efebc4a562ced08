"""Template filters shared by every page."""

import math
import re

from django import template
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def sci_value(value):
    """Scientific values for people: trimmed floats, engineering-friendly exponents, lists."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}".replace(",", "\u202f") if abs(value) >= 10_000 else str(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value)
        if value != 0 and (abs(value) >= 1e6 or abs(value) < 1e-3):
            return f"{value:.4g}"
        return f"{value:.6g}"
    if isinstance(value, list | tuple):
        shown = ", ".join(str(sci_value(v)) for v in value[:8])
        return f"[{shown}{', …' if len(value) > 8 else ''}]"
    return value


@register.filter
def split_camel(value: str) -> str:
    """'IsSupplementTo' -> 'Is supplement to' (DataCite relation types for people)."""
    words = re.findall(r"[A-Z][a-z]*|[a-z]+|\d+", value or "")
    return " ".join([words[0]] + [w.lower() for w in words[1:]]) if words else value


@register.filter
def path_wrap(value: str) -> str:
    """A file path that may break after each '/' on narrow screens (<wbr>), escaped."""
    parts = [conditional_escape(p) for p in str(value or "").split("/")]
    return mark_safe("/<wbr>".join(parts))  # noqa: S308 - every part is escaped above
