from django.contrib import admin
from django.urls import include, path

from portal import errors, harvesting, i18n, profile
from portal.ops import health, metrics

admin.site.site_header = "Open data portal: curation"
admin.site.site_title = "Portal admin"
admin.site.index_title = "Catalogue curation"

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics_view, name="metrics"),
    path("admin/", admin.site.urls),
    # The header's language switcher (POST; the URLs themselves never carry a language).
    path("i18n/setlang/", i18n.set_language, name="set_language"),
    path("accounts/profile/", profile.profile, name="account_profile"),
    path("accounts/", include("portal.page_urls")),
    path("accounts/", include("allauth.urls")),
    path("oidc/", include("portal.oidc_urls")),
    path("api/v1/", include("stats.api_urls")),
    path("api/v1/", include("catalogue.api.urls")),
    path("panosc/api/", include("panosc.urls")),
    path("scicat/api/", include("scicat.urls")),
    path("", include("oaipmh.urls")),
    path("", include("stats.urls")),
    path("harvesting/", harvesting.harvesting, name="harvesting"),
    path("", include("landing.urls")),
    path("", include("catalogue.urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
