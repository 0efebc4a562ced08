from django.urls import path

from catalogue.api import curation, search, views
from doi import views as doi_views

app_name = "api"

urlpatterns = [
    path("datasets/<uuid:pid>", views.DatasetDetail.as_view(), name="dataset-detail"),
    path("datasets/<uuid:pid>/files", views.DatasetFiles.as_view(), name="dataset-files"),
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
    path(
        "datasets/<uuid:pid>/checklist",
        curation.DatasetChecklist.as_view(),
        name="dataset-checklist",
    ),
    path(
        "datasets/<uuid:pid>/transitions",
        curation.DatasetTransitions.as_view(),
        name="dataset-transitions",
    ),
    path("datasets/<uuid:pid>/events", curation.DatasetEvents.as_view(), name="dataset-events"),
    path("search", search.SearchView.as_view(), name="search"),
    path("search/keys", search.SearchKeysView.as_view(), name="search-keys"),
]
