"""Celery tasks of the OAI-PMH provider. Thin: they take primary keys and call a service."""

from celery import shared_task

# Records per task: one batch of snapshots and renderings per format.
RENDER_BATCH = 500


@shared_task(name="oaipmh.render_records")
def render_records(dataset_ids: list[int]) -> dict:
    """Render changed records ahead of harvests. Idempotent; a lost task only means the next
    harvest renders those records itself."""
    from oaipmh.rendering import render_records as render

    return {"current": render(dataset_ids)}
