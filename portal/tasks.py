"""Tasks of the portal itself."""

from celery import shared_task


@shared_task(name="portal.ping", ignore_result=False)  # check_services waits for its answer
def ping() -> str:
    """Answers 'pong': lets `manage.py check_services` prove a worker consumes the queue."""
    return "pong"
