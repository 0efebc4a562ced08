"""Template helpers of the deposit form: errors by JSON path."""

from django import template

register = template.Library()


@register.filter
def get(mapping, key):
    """``errors|get:"dates.embargo_until"`` (keys with dots, which the template language splits)."""
    return (mapping or {}).get(key)


@register.simple_tag
def row_errors(form, prefix: str, index: int) -> dict:
    return form.row_errors(prefix, index)
