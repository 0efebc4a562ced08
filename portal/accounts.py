"""django-allauth adapter: sign-up switch, and a log-out that ends the provider's session too."""

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_SIGNUP_OPEN

    def get_logout_redirect_url(self, request) -> str:
        # Called before the session ends, while the ID token (id_token_hint) is still there.
        from portal.oidc_views import provider_logout_url

        return provider_logout_url(request) or super().get_logout_redirect_url(request)
