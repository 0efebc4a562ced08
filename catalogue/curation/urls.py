from django.urls import path

from catalogue.curation import views

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
]
