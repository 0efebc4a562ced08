from django.urls import path

from catalogue import views
from catalogue.curation.urls import urlpatterns as curation_urlpatterns
from catalogue.preview.urls import urlpatterns as preview_urlpatterns
from catalogue.search import views as search_views
from landing import views as landing_views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    # The one record page (landing/): redirects to /doi/<doi> once the record has one.
    path("datasets/<uuid:pid>/", landing_views.dataset_page, name="dataset-detail"),
    path("datasets/<uuid:pid>/zip", views.dataset_zip, name="dataset-zip"),
    path("datasets/<uuid:pid>/files/<path:path>", views.file_download, name="file-download"),
    # Curation: owner/curator panel actions, My datasets, the review queue (catalogue/curation/)
    *curation_urlpatterns,
    # HDF5/NeXus preview: h5grove's API per dataset (catalogue/preview/)
    *preview_urlpatterns,
]
