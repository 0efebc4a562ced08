"""``/oidc/``: the federated log-in (404 unless PORTAL_OIDC_RP_CLIENT_ID is set)."""

from django.urls import path

from portal import oidc_views

urlpatterns = [
    path("authenticate/", oidc_views.AuthenticateView.as_view(), name="oidc_authentication_init"),
    path("callback/", oidc_views.CallbackView.as_view(), name="oidc_authentication_callback"),
    path("failed/", oidc_views.failed, name="oidc_failed"),
]
