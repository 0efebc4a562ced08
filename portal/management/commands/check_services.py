"""manage.py check_services: is every configured backing service answering?"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection


class Command(BaseCommand):
    help = "Check the database, the Celery broker and worker, and Elasticsearch."

    def add_arguments(self, parser):
        parser.add_argument("--timeout", type=float, default=10.0)

    def handle(self, *args, **options):
        problems = []
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        self.stdout.write(f"database      ok ({connection.vendor})")
        if settings.CELERY_TASK_ALWAYS_EAGER:
            self.stdout.write("tasks         eager (no broker configured)")
        else:
            from portal.tasks import ping

            started = time.monotonic()
            try:
                answer = ping.apply_async().get(timeout=options["timeout"])
                self.stdout.write(
                    f"worker        ok ({answer}, {1000 * (time.monotonic() - started):.0f} ms)"
                )
            except Exception as exc:
                problems.append(f"worker: {exc!r}")
        if settings.ELASTICSEARCH_URL:
            from elasticsearch import ApiError, TransportError

            from catalogue.search.connection import get_client

            try:
                health = get_client().options(request_timeout=5).cluster.health()
                self.stdout.write(
                    f"elasticsearch {health['status']} ({health['cluster_name']}, "
                    f"{health['number_of_nodes']} node(s))"
                )
                if health["status"] == "red":
                    problems.append("elasticsearch: cluster health is red")
            except (ApiError, TransportError, OSError, KeyError) as exc:
                problems.append(f"elasticsearch: {exc}")
        else:
            self.stdout.write("search        database backend")
        if problems:
            raise CommandError("; ".join(problems))
