"""``{% fragment "partial.html" name=value ... %}``: an include of a partial that reads only
the variables it is given, rendered once per distinct set of values (``portal.fragments``)."""

from django import template

from portal.fragments import render_fragment

register = template.Library()


@register.simple_tag
def fragment(template_name: str, **context):
    return render_fragment(template_name, context)
