"""Statistics under /api/v1/ (kept apart from catalogue/api/urls.py)."""

from django.urls import path

from stats import views

app_name = "stats-api"

urlpatterns = [
    path("datasets/<uuid:pid>/stats", views.DatasetStats.as_view(), name="dataset-stats"),
    path("reports/dsr", views.DatasetReport.as_view(), name="dsr"),
]
