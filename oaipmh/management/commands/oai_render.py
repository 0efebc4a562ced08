"""manage.py oai_render: render every public record's metadata ahead of harvests."""

import time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from tqdm import tqdm

from oaipmh import rendering, selectors
from oaipmh.formats import FORMATS


class Command(BaseCommand):
    help = (
        "Render and store the OAI-PMH metadata of every public record (all formats, or the "
        "ones named), so that the next harvest only reads it. Records already rendered for "
        "their current datestamp are skipped; safe to run any time, e.g. after an upgrade."
    )

    def add_arguments(self, parser):
        parser.add_argument("prefixes", nargs="*", help=f"formats (default: {', '.join(FORMATS)})")
        parser.add_argument("--batch", type=int, default=500)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        prefixes = options["prefixes"] or list(FORMATS)
        unknown = [p for p in prefixes if p not in FORMATS]
        if unknown:
            raise CommandError(f"Unknown metadata format(s): {', '.join(unknown)}.")
        for prefix in prefixes:
            fmt = FORMATS[prefix]
            query = selectors.ListQuery(
                set_spec=None, lower=None, upper=timezone.now(),
                requires_doi=fmt.requires_doi, deleted_rows=False,
            )  # fmt: skip
            total = selectors.items_count(query)
            started, done, after = time.monotonic(), 0, None
            with tqdm(total=total, desc=prefix, unit="rec", disable=options["no_progress"],
                      file=self.stderr._out) as bar:  # fmt: skip
                while True:
                    items, more = selectors.items_page(query, after=after, limit=options["batch"])
                    if not items:
                        break
                    rendering.metadata_of(items, fmt)
                    done += len(items)
                    bar.update(len(items))
                    after = items[-1].key
                    if not more:
                        break
            seconds = time.monotonic() - started
            self.stdout.write(
                f"{prefix}: {done:,} records current in {seconds:.1f} s "
                f"({done / seconds if seconds else 0:,.0f} records/s)"
            )
