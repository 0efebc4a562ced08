import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)

DOCUMENTS_BATCH = 500  # datasets per task


def _datasets_changed(sender, dataset_ids: list[int], ever_public_ids=None, **kwargs) -> None:
    """Keep the documents index in step (after commit, in the background), as the dataset
    index is kept; nothing with the database search backend (no index). Documents hold public
    datasets only: a record that was never public is in none (no task for an ingestor's
    drafts)."""
    from django.conf import settings

    if ever_public_ids is not None:
        dataset_ids = ever_public_ids

    if settings.SEARCH_BACKEND != "elasticsearch" or not dataset_ids:
        return
    from panosc.tasks import index_documents

    ids = sorted(set(dataset_ids))
    try:
        for start in range(0, len(ids), DOCUMENTS_BATCH):
            index_documents.delay(ids[start : start + DOCUMENTS_BATCH])
    except Exception:
        # The change is committed; `manage.py reindex` repairs the documents index.
        logger.exception("Could not update the PaNOSC documents of %d dataset(s)", len(ids))


def _index_rebuilt(sender, dropped: bool = False, **kwargs) -> None:
    from panosc import index

    if dropped:
        index.drop()
    else:
        count = index.rebuild()
        logger.info("Rebuilt the PaNOSC documents index: %d documents", count)


class PanoscConfig(AppConfig):
    name = "panosc"
    verbose_name = "PaNOSC federated search API"

    def ready(self) -> None:
        from catalogue.signals import datasets_changed, search_index_rebuilt

        datasets_changed.connect(_datasets_changed, dispatch_uid="panosc-documents-changed")
        search_index_rebuilt.connect(_index_rebuilt, dispatch_uid="panosc-documents-rebuilt")
