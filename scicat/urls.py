"""Routes of the SciCat-compatible API, mounted at /scicat/api/.

Case-insensitive (``Datasets`` and ``datasets``), v3 and v4; the lazy ``.+?`` pid with an
anchored suffix keeps pids with ``/`` apart from ``/origdatablocks``.
"""

from django.urls import re_path

from scicat import views


def ci(path: str) -> str:
    """A case-insensitive regex for a path (a global (?i) flag would make every URL of the
    project unreversible)."""
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in path)


V = r"^(?P<version>v[34])/"

app_name = "scicat"
urlpatterns = [
    re_path(V + ci("auth") + r"/" + ci("login") + r"/?$", views.login, name="login"),
    re_path(V + ci("users") + r"/" + ci("login") + r"/?$", views.login, name="users-login"),
    re_path(V + ci("datasets") + r"/?$", views.datasets, name="datasets"),
    re_path(
        V + ci("datasets") + r"/" + ci("fullquery") + r"/?$",
        views.datasets_fullquery,
        name="fullquery",
    ),
    re_path(
        V + ci("datasets") + r"/" + ci("isvalid") + r"/?$", views.datasets_is_valid, name="is-valid"
    ),
    re_path(
        V + ci("datasets") + r"/" + ci("public") + r"/(?P<pid>.+)$",
        views.dataset_public,
        name="public",
    ),
    re_path(
        V + ci("datasets") + r"/(?P<pid>.+?)/" + ci("origdatablocks") + r"/?$",
        views.dataset_origdatablocks,
        name="dataset-origdatablocks",
    ),
    re_path(
        V + ci("datasets") + r"/(?P<pid>.+?)/" + ci("attachments") + r"/?$",
        views.dataset_attachments,
        name="dataset-attachments",
    ),
    re_path(V + ci("datasets") + r"/(?P<pid>.+)$", views.dataset_detail, name="dataset"),
    re_path(V + ci("origdatablocks") + r"/?$", views.origdatablocks, name="origdatablocks"),
    re_path(V + ci("attachments") + r"/?$", views.attachments, name="attachments"),
    re_path(V + ci("proposals") + r"/?$", views.proposals, name="proposals"),
    re_path(V + ci("proposals") + r"/(?P<key>.+)$", views.proposal_detail, name="proposal"),
    re_path(V + ci("samples") + r"/?$", views.samples, name="samples"),
    re_path(V + ci("samples") + r"/(?P<key>.+)$", views.sample_detail, name="sample"),
    re_path(V + ci("instruments") + r"/?$", views.instruments, name="instruments"),
    re_path(
        V + ci("instruments") + r"/" + ci("findone") + r"/?$",
        views.instrument_find_one,
        name="instrument-find",
    ),
    re_path(V + ci("instruments") + r"/(?P<key>.+)$", views.instrument_detail, name="instrument"),
    re_path(V + ci("publisheddata") + r"/?$", views.published_data, name="published-data"),
]
