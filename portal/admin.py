"""Admin pieces shared by the apps, and the admin of the portal's own records."""

from django.contrib import admin

from portal.models import FederatedIdentity


class ReadOnlyAdminMixin:
    """An audit log in the admin: listed and viewed, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(FederatedIdentity)
class FederatedIdentityAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "email", "last_login_at"]
    search_fields = ["user__username", "subject", "email"]
    readonly_fields = ["user", "issuer", "subject", "provider_groups", "email", "created_at",
                       "last_login_at"]  # fmt: skip

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser  # unlinking an identity is an admin's decision
