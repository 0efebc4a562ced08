from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("tokens/", views.api_tokens, name="api-tokens"),
    path("tokens/<int:token_id>/revoke", views.api_token_revoke_view, name="api-token-revoke"),
]
