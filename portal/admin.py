"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """An audit log in the admin: listed and viewed, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _register_api_tokens() -> None:
    from django.contrib import admin, messages

    from portal.models import ApiToken
    from portal.tokens import api_token_revoke

    @admin.register(ApiToken)
    class ApiTokenAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
        """Staff see and revoke tokens; secrets exist only where they were created."""

        list_display = ("name", "owner", "scope", "prefix", "created_at", "expires_at",
                        "last_used_at", "revoked_at")  # fmt: skip
        list_filter = ("scope",)
        search_fields = ("name", "owner__username", "prefix")
        exclude = ("key_hash",)
        actions = ["revoke"]

        def has_change_permission(self, request, obj=None):
            return obj is None and request.user.is_staff  # the list and its action

        @admin.action(description="Revoke the selected tokens")
        def revoke(self, request, queryset):
            for token in queryset:
                api_token_revoke(token=token, actor=request.user)
            messages.success(request, f"Revoked {queryset.count()} token(s).")


_register_api_tokens()
