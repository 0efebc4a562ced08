"""h5grove 4's routes (no trailing slashes), below ``/datasets/<pid>/h5grove``."""

from django.urls import path

from catalogue.preview import views

urlpatterns = [
    path("datasets/<uuid:pid>/h5grove", views.root, name="h5grove"),
    path("datasets/<uuid:pid>/h5grove/meta", views.meta, name="h5grove-meta"),
    path("datasets/<uuid:pid>/h5grove/attr", views.attr, name="h5grove-attr"),
    path("datasets/<uuid:pid>/h5grove/data", views.data, name="h5grove-data"),
    path("datasets/<uuid:pid>/h5grove/stats", views.stats, name="h5grove-stats"),
    path("datasets/<uuid:pid>/h5grove/paths", views.paths, name="h5grove-paths"),
]
