"""Routes of the SciCat-compatible API, mounted at /scicat/api/.

Case-insensitive (``Datasets`` and ``datasets``), v3 and v4; the lazy ``.+?`` pid with an
anchored suffix keeps pids with ``/`` apart from ``/origdatablocks``.
"""

from django.urls import re_path

from scicat import views

V = r"(?i)^(?P<version>v[34])/"

app_name = "scicat"
urlpatterns = [
    re_path(V + r"auth/login/?$", views.login, name="login"),
    re_path(V + r"users/login/?$", views.login, name="users-login"),
    re_path(V + r"datasets/?$", views.datasets, name="datasets"),
    re_path(V + r"datasets/fullquery/?$", views.datasets_fullquery, name="fullquery"),
    re_path(V + r"datasets/isvalid/?$", views.datasets_is_valid, name="is-valid"),
    re_path(V + r"datasets/public/(?P<pid>.+)$", views.dataset_public, name="public"),
    re_path(
        V + r"datasets/(?P<pid>.+?)/origdatablocks/?$",
        views.dataset_origdatablocks,
        name="dataset-origdatablocks",
    ),
    re_path(
        V + r"datasets/(?P<pid>.+?)/attachments/?$",
        views.dataset_attachments,
        name="dataset-attachments",
    ),
    re_path(V + r"datasets/(?P<pid>.+)$", views.dataset_detail, name="dataset"),
    re_path(V + r"origdatablocks/?$", views.origdatablocks, name="origdatablocks"),
    re_path(V + r"attachments/?$", views.attachments, name="attachments"),
    re_path(V + r"proposals/?$", views.proposals, name="proposals"),
    re_path(V + r"proposals/(?P<key>.+)$", views.proposal_detail, name="proposal"),
    re_path(V + r"samples/?$", views.samples, name="samples"),
    re_path(V + r"samples/(?P<key>.+)$", views.sample_detail, name="sample"),
    re_path(V + r"instruments/?$", views.instruments, name="instruments"),
    re_path(V + r"instruments/findone/?$", views.instrument_find_one, name="instrument-find"),
    re_path(V + r"instruments/(?P<key>.+)$", views.instrument_detail, name="instrument"),
    re_path(V + r"publisheddata/?$", views.published_data, name="published-data"),
]
