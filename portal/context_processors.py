from django.conf import settings

from catalogue.roles import Action, user_may


def site(request):
    """Values every page template may use (base.html, headers, footers)."""
    return {
        "site_name": settings.SITE_NAME,
        "base_url": settings.BASE_URL,
        "oidc_enabled": getattr(settings, "OIDC_ENABLED", False),
        "oidc_provider_name": getattr(settings, "OIDC_PROVIDER_NAME", ""),
        # The header's "Curation" link: the role table decides, not is_staff.
        "may_curate": user_may(getattr(request, "user", None), Action.CURATE),
        # Called only by templates that use it (the footer's Curation link).
        "is_curator": lambda: _is_curator(request),
    }


def _is_curator(request) -> bool:
    from catalogue.access import user_is_curator

    return user_is_curator(getattr(request, "user", None))


def labels(request):
    """``labels.proposal`` …: facility-configurable field labels (portal/labels.py)."""
    from portal.labels import Labels

    return {"labels": Labels()}
