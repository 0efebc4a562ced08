from django.conf import settings


def site(request):
    """Values every page template may use (base.html, headers, footers)."""
    return {
        "site_name": settings.SITE_NAME,
        "base_url": settings.BASE_URL,
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
    }
