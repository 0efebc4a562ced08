"""The scheduled SciCat import (Celery beat, PORTAL_SCICAT_IMPORT_URL + _SCHEDULE). Thin."""

import logging

from celery import shared_task
from django.conf import settings

from scicat.importing import SourceError, run_import

logger = logging.getLogger(__name__)


@shared_task(name="scicat.tasks.scicat_import_scheduled", bind=True, max_retries=3)
def scicat_import_scheduled(self) -> dict:
    """Run the import as configured; a source that is down is retried with back-off. Safe to
    repeat: records the source did not change are left alone."""
    if not settings.SCICAT_IMPORT_URL:
        return {"skipped": "PORTAL_SCICAT_IMPORT_URL is not set"}
    try:
        summary = run_import(
            url=settings.SCICAT_IMPORT_URL,
            token=settings.SCICAT_IMPORT_TOKEN,
            username=settings.SCICAT_IMPORT_USERNAME,
            password=settings.SCICAT_IMPORT_PASSWORD,
            filter_where=settings.SCICAT_IMPORT_FILTER or None,
        )
    except SourceError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=300 * 2**self.request.retries) from exc
    for pid, reason in summary.rejected:
        logger.warning("SciCat import rejected %s: %s", pid, reason)
    logger.info("SciCat import: %s", summary.line())
    return dict(summary.counts)
