from django.apps import AppConfig
from django.db.models.signals import pre_delete


def _dataset_deleting(sender, instance, **kwargs) -> None:
    from oaipmh.services import deleted_record_remember

    deleted_record_remember(dataset=instance)


def _datasets_changed(sender, dataset_ids: list[int], ever_public_ids=None, **kwargs) -> None:
    """Render the changed records ahead of the next harvest (in the background). A record that
    was never public is in no harvest: no task for it (an ingestor's drafts)."""
    from oaipmh.tasks import RENDER_BATCH, render_records

    if ever_public_ids is not None:
        dataset_ids = ever_public_ids

    for start in range(0, len(dataset_ids), RENDER_BATCH):
        render_records.delay(dataset_ids[start : start + RENDER_BATCH])


class OaipmhConfig(AppConfig):
    name = "oaipmh"
    verbose_name = "OAI-PMH provider"

    def ready(self) -> None:
        # Not a side effect: the deleted-record header must be written in the same
        # transaction as the delete, by every path that deletes (admin, shell, cascades),
        # while the dataset's technique links still exist. Django sends pre_delete for every
        # object before it deletes any of them.
        pre_delete.connect(
            _dataset_deleting, sender="catalogue.Dataset", dispatch_uid="oaipmh-deleted-record"
        )
        # Records are rendered when they change, not when the first harvester asks.
        from catalogue.signals import datasets_changed

        datasets_changed.connect(_datasets_changed, dispatch_uid="oaipmh-render-changed")
