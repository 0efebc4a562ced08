"""/doi/<doi> and what hangs below it. A DOI may contain '/', so the fixed endings are tried
first and the landing page takes the rest (a DOI that itself ended in '/linkset' would need
percent-encoding of that slash; none of ours do)."""

from django.urls import path, re_path

from landing import views

app_name = "landing"

urlpatterns = [
    path("doi/<path:doi>/export/<slug:fmt>", views.export, name="export"),
    path("doi/<path:doi>/linkset.json", views.linkset_json, name="linkset-json"),
    path("doi/<path:doi>/linkset", views.linkset_text, name="linkset"),
    re_path(
        r"^doi/(?P<doi>.+)/(?P<kind>manifest\.meta4|manifest\.aria2|urls\.txt|"
        r"SHA256SUMS|MD5SUMS|SHA1SUMS|SHA512SUMS|B2SUMS)$",
        views.manifest,
        name="manifest",
    ),
    path("doi/<path:doi>", views.landing, name="landing"),
]
