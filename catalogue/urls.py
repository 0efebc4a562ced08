from django.urls import path

from catalogue import views
from catalogue.curation.urls import urlpatterns as curation_urlpatterns
from catalogue.preview.urls import urlpatterns as preview_urlpatterns
from catalogue.search import views as search_views

app_name = "catalogue"

urlpatterns = [
    path("", views.home, name="home"),
    path("search/", search_views.search_page, name="search"),
    path("datasets/<uuid:pid>/", views.dataset_detail, name="dataset-detail"),
    path("datasets/<uuid:pid>/files/<path:path>", views.file_download, name="file-download"),
    # Curation: owner/curator panel actions, My datasets, the review queue (catalogue/curation/)
    *curation_urlpatterns,
    # HDF5/NeXus preview: h5grove's API per dataset (catalogue/preview/)
    *preview_urlpatterns,
]
