"""Send a month's COUNTER Dataset Report to DataCite's usage hub (off unless configured)."""

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from stats import hub


class Command(BaseCommand):
    help = "Send one month's Dataset Report (SUSHI JSON) to the DataCite usage hub."

    def add_arguments(self, parser):
        last = (datetime.date.today().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
        parser.add_argument("--month", default=last, help="yyyy-mm (default: last month)")

    def handle(self, *args, month: str, **options):
        if not settings.STATS_HUB_ENABLED:
            raise CommandError("PORTAL_STATS_HUB_ENABLED is off: nothing is sent.")
        try:
            status = hub.send_month(month=month)
        except (hub.HubError, hub.HubTransientError) as exc:
            raise CommandError(f"The usage hub did not take the report: {exc}") from exc
        self.stdout.write(f"Report for {month} sent (HTTP {status}).")
