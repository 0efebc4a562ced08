"""/panosc/api/…: the calls of the PaNOSC search API (doc/api-calls.md), capitalised as there."""

from django.urls import path

from panosc import views

app_name = "panosc"

urlpatterns = [
    path("Datasets", views.DatasetList.as_view(), name="datasets"),
    path("Datasets/count", views.DatasetCount.as_view(), name="datasets-count"),
    path("Datasets/<path:pid>/files/count", views.DatasetFilesCount.as_view(),
         name="dataset-files-count"),
    path("Datasets/<path:pid>/files", views.DatasetFiles.as_view(), name="dataset-files"),
    path("Datasets/<path:pid>", views.DatasetDetail.as_view(), name="dataset"),
    path("Documents", views.DocumentList.as_view(), name="documents"),
    path("Documents/count", views.DocumentCount.as_view(), name="documents-count"),
    path("Documents/<path:pid>", views.DocumentDetail.as_view(), name="document"),
    path("Instruments", views.InstrumentList.as_view(), name="instruments"),
    path("Instruments/count", views.InstrumentCount.as_view(), name="instruments-count"),
    path("Instruments/<path:pid>", views.InstrumentDetail.as_view(), name="instrument"),
]  # fmt: skip
