"""Admin pieces shared by the apps."""


class ReadOnlyAdminMixin:
    """An audit log in the admin: listed and viewed, never added, edited or deleted there."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
