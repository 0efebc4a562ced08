from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from catalogue.api import (  # noqa: F401  (docs)
    context,
    curation,
    docs,
    review_links,
    schemas,
    search,
    views,
)
from doi import views as doi_views
from portal.api import MeView

app_name = "api"

urlpatterns = [
    path("me", MeView.as_view(), name="me"),
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("datasets", views.DatasetList.as_view(), name="dataset-list"),
    path("datasets/batch", views.DatasetBatch.as_view(), name="dataset-batch"),
    path("datasets/<uuid:pid>", views.DatasetDetail.as_view(), name="dataset-detail"),
    path("datasets/<uuid:pid>/files", views.DatasetFiles.as_view(), name="dataset-files"),
    path("datasets/<uuid:pid>/versions", views.DatasetVersions.as_view(), name="dataset-versions"),
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
    path("schemas", schemas.SchemaList.as_view(), name="schema-list"),
    path("schemas/<int:id>", schemas.SchemaDetail.as_view(), name="schema-detail"),
    path(
        "datasets/<uuid:pid>/review-links",
        review_links.DatasetReviewLinks.as_view(),
        name="dataset-review-links",
    ),
    path(
        "datasets/<uuid:pid>/review-links/<int:link_id>",
        review_links.DatasetReviewLink.as_view(),
        name="dataset-review-link",
    ),
    path("search", search.SearchView.as_view(), name="search"),
    path("search/keys", search.SearchKeysView.as_view(), name="search-keys"),
    path("facilities", context.FacilityList.as_view(), name="facility-list"),
    path("facilities/<str:code>", context.FacilityDetail.as_view(), name="facility-detail"),
    path("instruments", context.InstrumentList.as_view(), name="instrument-list"),
    path("instruments/<str:code>", context.InstrumentDetail.as_view(), name="instrument-detail"),
    path("techniques", context.TechniqueList.as_view(), name="technique-list"),
    path("proposals", context.ProposalList.as_view(), name="proposal-list"),
    path(
        "proposals/<str:facility>/<str:proposal_id>",
        context.ProposalDetail.as_view(),
        name="proposal-detail",
    ),
    path("beamtimes", context.BeamtimeList.as_view(), name="beamtime-list"),
    path("beamtimes/<int:pk>", context.BeamtimeDetail.as_view(), name="beamtime-detail"),
]
