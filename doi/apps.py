from django.apps import AppConfig


def _datasets_changed(sender, dataset_ids: list[int], **kwargs) -> None:
    """Changed datasets: DataCite must get their new state and metadata (in the background)."""
    from django.conf import settings

    if not settings.DATACITE_ENABLED:
        return  # the embedded demo reserves DOIs locally and sends nothing
    from doi.tasks import sync_changed

    for start in range(0, len(dataset_ids), 500):
        sync_changed.apply_async((dataset_ids[start : start + 500],), queue="doi")


class DoiConfig(AppConfig):
    name = "doi"
    verbose_name = "DOIs and DataCite"

    def ready(self) -> None:
        from catalogue.signals import datasets_changed

        datasets_changed.connect(_datasets_changed, dispatch_uid="doi-sync-changed")
