from django.urls import path

from oaipmh import views

app_name = "oaipmh"

urlpatterns = [
    path("oai", views.oai_endpoint, name="endpoint"),
]
