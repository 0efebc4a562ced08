from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from portal import errors
from portal import views as portal_views

admin.site.site_header = "Open data portal: curation"
admin.site.site_title = "Portal admin"
admin.site.index_title = "Catalogue curation"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    *([path("oidc/", include("mozilla_django_oidc.urls"))] if settings.OIDC_ENABLED else []),
    path("api/v1/", include("stats.api_urls")),
    path("api/v1/", include("catalogue.api.urls")),
    path("", include("oaipmh.urls")),
    path("", include("stats.urls")),
    path("harvesting/", portal_views.harvesting, name="harvesting"),
    path("", include("landing.urls")),
    path("", include("catalogue.urls")),
]

handler400 = errors.bad_request
handler403 = errors.permission_denied
handler404 = errors.page_not_found
handler500 = errors.server_error
