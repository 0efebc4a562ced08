from django.urls import path

from catalogue.api import files, search, views
from doi import views as doi_views

app_name = "api"

urlpatterns = [
    path("datasets/<uuid:pid>", views.DatasetDetail.as_view(), name="dataset-detail"),
    # Folder-aware (?prefix=, &folders=1): catalogue/api/files.py.
    path("datasets/<uuid:pid>/files", files.DatasetFiles.as_view(), name="dataset-files"),
    path(
        "datasets/<uuid:pid>/datacite.xml",
        doi_views.DatasetDataciteXml.as_view(),
        name="dataset-datacite-xml",
    ),
    path(
        "datasets/<uuid:pid>/datacite.json",
        doi_views.DatasetDataciteJson.as_view(),
        name="dataset-datacite-json",
    ),
    path("search", search.SearchView.as_view(), name="search"),
    path("search/keys", search.SearchKeysView.as_view(), name="search-keys"),
]
