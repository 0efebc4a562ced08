"""Celery tasks of the statistics (names ``stats.*``). Thin: they call stats.services."""

from celery import shared_task


@shared_task(name="stats.record_events", ignore_result=True)
def record_events(events: list[dict]) -> int:
    """Store usage events and bring their datasets' months up to date. Safe to repeat."""
    from stats.services import Event, usage_events_record

    return usage_events_record(events=[Event.from_task_arg(e) for e in events])


@shared_task(name="stats.flush_events", ignore_result=True)
def flush_events() -> int:
    """Store the usage events waiting in the broker's list (celery beat, STATS_FLUSH_SECONDS)."""
    from stats import buffer

    return buffer.flush()


@shared_task(name="stats.aggregate_month", ignore_result=True)
def aggregate_month(dataset_id: int, month: str) -> None:
    """Recompute one dataset's month from its events (repairs, after pruning rules change)."""
    import datetime

    from stats.services import usage_month_aggregate

    usage_month_aggregate(dataset_id=dataset_id, month=datetime.date.fromisoformat(month))


@shared_task(name="stats.send_report_to_hub", bind=True, max_retries=6, ignore_result=True)
def send_report_to_hub(self, month: str) -> None:
    """Send a month's Dataset Report to DataCite's usage hub (PORTAL_STATS_HUB_ENABLED)."""
    from stats import hub

    try:
        hub.send_month(month=month)
    except hub.HubTransientError as exc:
        if self.request.is_eager:
            raise
        raise self.retry(exc=exc, countdown=300 * 2**self.request.retries) from exc
