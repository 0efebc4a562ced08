from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = "Portal"

    def ready(self):
        # Registers the PORTAL_LABELS check and the log-in language receiver.
        from portal import i18n, labels  # noqa: F401
