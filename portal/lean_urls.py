"""The URL patterns of the lean path (portal/lean.py), resolved before the whole URLconf.

Django walks ``portal.urls`` top to bottom, through every include, for each request; the
h5grove endpoints come last, after admin, allauth, the API and the pages. The lean handler
tries these patterns first: the same pattern objects under the same namespaces as in
``portal.urls``, so the match (view, name, route, kwargs) is the one Django would find, and
reverse() keeps using the whole URLconf.
"""

from django.urls import include, path

from catalogue.api import urls as api_urls
from catalogue.preview.urls import urlpatterns as preview_urlpatterns

_search = [p for p in api_urls.urlpatterns if getattr(p, "name", None) == "search"]

urlpatterns = [
    path("", include((preview_urlpatterns, "catalogue"))),
    path("api/v1/", include((_search, api_urls.app_name))),
    path("panosc/api/", include("panosc.urls")),
]
