from django.urls import path

from catalogue.api import search, views

app_name = "api"

urlpatterns = [
    path("datasets/<uuid:pid>", views.DatasetDetail.as_view(), name="dataset-detail"),
    path("datasets/<uuid:pid>/files", views.DatasetFiles.as_view(), name="dataset-files"),
    path("search", search.SearchView.as_view(), name="search"),
    path("search/keys", search.SearchKeysView.as_view(), name="search-keys"),
]
