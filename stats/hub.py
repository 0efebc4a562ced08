"""DataCite usage hub client: POST a month's Dataset Report (Make Data Count). Off by default.

The hub (``POST /reports``, Bearer token of the DataCite repository account) takes only DOIs,
so items without one are left out. 4xx answers are permanent (the hub's message is raised),
429/5xx and timeouts transient (the task retries with back-off).
"""

from __future__ import annotations

import datetime
import json
import urllib.error
import urllib.request

from django.conf import settings
from django.utils import timezone

TIMEOUT = 60


class HubError(RuntimeError):
    """The hub refused the report (4xx) or sending is not configured."""


class HubTransientError(RuntimeError):
    """Timeout, 429 or 5xx: try again later."""


def month_report(*, month: datetime.date) -> dict:
    from catalogue.access import datasets_public
    from stats import counter, selectors

    begin, end = counter.parse_period(month.strftime("%Y-%m"), month.strftime("%Y-%m"))
    items = [
        i
        for i in selectors.report_datasets(begin=begin, end=end, dataset_queryset=datasets_public())
        if i.doi
    ]
    return counter.dataset_report(
        items,
        begin=begin,
        end=end,
        created=timezone.now(),
        created_by=settings.SITE_NAME,
        platform=settings.SITE_NAME,
        publisher_id=("client-id", settings.STATS_CLIENT_ID) if settings.STATS_CLIENT_ID else None,
    )


def send_month(*, month: str, opener=urllib.request.urlopen) -> int:
    if not settings.STATS_HUB_ENABLED or not settings.STATS_HUB_TOKEN:
        raise HubError("Sending to the usage hub is off (PORTAL_STATS_HUB_ENABLED, _TOKEN).")
    report = month_report(month=datetime.date.fromisoformat(f"{month}-01"))
    request = urllib.request.Request(  # noqa: S310 - https URL from settings
        settings.STATS_HUB_URL,
        data=json.dumps(report).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Accept": "application/json",
            "Authorization": f"Bearer {settings.STATS_HUB_TOKEN}",
        },
    )
    try:
        with opener(request, timeout=TIMEOUT) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        body = exc.read().decode("utf-8", "replace")[:2000]
        if exc.code == 429 or exc.code >= 500:
            raise HubTransientError(f"HTTP {exc.code}: {body}") from exc
        raise HubError(f"HTTP {exc.code}: {body}") from exc
    except (TimeoutError, urllib.error.URLError) as exc:
        raise HubTransientError(str(exc)) from exc
