from django.urls import path

from catalogue.curation import review_links, views

urlpatterns = [
    path("my/datasets/", views.my_datasets, name="my-datasets"),
    path("my/datasets/new/", views.deposit_view, name="deposit-new"),
    path("datasets/<uuid:pid>/edit", views.deposit_view, name="deposit-edit"),
    path("curation/", views.review_queue_view, name="review-queue"),
    path(
        "datasets/<uuid:pid>/transition", views.dataset_transition_view, name="dataset-transition"
    ),
    path(
        "datasets/<uuid:pid>/new-version",
        views.dataset_new_version_view,
        name="dataset-new-version",
    ),
    path("datasets/<uuid:pid>/comment", views.dataset_comment_view, name="dataset-comment"),
    # Reviewer links (catalogue/curation/review_links.py)
    path("review/<str:secret>/", review_links.review_link_open, name="review-link"),
    path(
        "datasets/<uuid:pid>/review-links",
        review_links.review_link_create_view,
        name="review-link-create",
    ),
    path(
        "datasets/<uuid:pid>/review-links/<int:link_id>/revoke",
        review_links.review_link_revoke_view,
        name="review-link-revoke",
    ),
]
