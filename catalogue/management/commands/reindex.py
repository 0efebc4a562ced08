"""manage.py reindex: rebuild the search index from the database, then swap the alias.

Searches keep using the old index while the new one is built; the alias moves to the new index
in one atomic step, and changes made meanwhile are replayed into it. Safe to run at any time.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from elasticsearch import TransportError
from tqdm import tqdm

from catalogue.search.connection import SearchUnavailable
from catalogue.search.documents import alias_name
from catalogue.search.indexing import (
    apply_index_settings,
    drop_index,
    indexable_count,
    rebuild_index,
    refresh_interval,
)
from catalogue.signals import search_index_rebuilt


class Command(BaseCommand):
    help = "Rebuild the Elasticsearch index of datasets into a new index and swap the alias."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=500, help="datasets per bulk request (500)"
        )
        parser.add_argument(
            "--drop", action="store_true", help="delete the index and its alias instead"
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--settings-only",
            action="store_true",
            help="only give the live index the configured settings (refresh interval)",
        )

    def handle(
        self, *args, batch_size: int, drop: bool, no_progress: bool, settings_only: bool, **options
    ):
        if settings.SEARCH_BACKEND != "elasticsearch":
            self.stdout.write(
                "Search uses the database (PORTAL_ELASTICSEARCH_URL is not set): "
                "there is no index to build."
            )
            return
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            if settings_only:
                changed = apply_index_settings()
                interval = refresh_interval() or "Elasticsearch's default"
                self.stdout.write(
                    f"Refresh interval {interval} on {', '.join(changed)}."
                    if changed
                    else "There is no search index yet: nothing to change."
                )
                return
            if drop:
                drop_index()
                search_index_rebuilt.send(sender=self.__class__, dropped=True)
                self.stdout.write(f"Deleted the search index {alias_name()}.")
                return
            total = indexable_count()
            with tqdm(
                total=total,
                unit="datasets",
                desc="Indexing",
                disable=no_progress,
                file=self.stderr._out,
            ) as bar:
                report = rebuild_index(batch_size=batch_size, progress=bar.update)
            # Indices derived from the datasets (the PaNOSC documents) follow.
            search_index_rebuilt.send(sender=self.__class__, dropped=False)
        except (SearchUnavailable, TransportError) as exc:
            raise CommandError(f"Elasticsearch is unavailable: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Indexed {report.indexed} datasets into {report.index} "
                f"(alias {alias_name()}; {report.caught_up} changed meanwhile, "
                f"{len(report.deleted_indices)} old index(es) deleted)."
            )
        )
