"""manage.py load_panosc_example [path]: the PaNOSC spec's example database as catalogue
records (see panosc.example), e.g. to try the example queries of its documentation."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from panosc.example import EXAMPLE_DB, load_example


class Command(BaseCommand):
    help = "Load the PaNOSC search API's example database (data/db.json) into the catalogue."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(EXAMPLE_DB))

    def handle(self, *args, path: str, **options):
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CommandError(f"Cannot read {path}: {exc}") from exc
        ids = load_example(data)
        self.stdout.write(
            f"Loaded {len(ids.datasets)} datasets, {len(ids.documents)} documents and "
            f"{len(ids.instruments)} instruments of the PaNOSC example database."
        )
        for spec_pid, pid in ids.datasets.items():
            self.stdout.write(f"  {spec_pid} -> {pid}")
