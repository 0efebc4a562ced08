"""manage.py import_scicat: copy published datasets from a SciCat (or a JSON export) here."""

import json

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from scicat.importing import REJECTED, SourceError, default_jobs, run_import


class Command(BaseCommand):
    help = (
        "Import datasets from a SciCat API (--url …/api/v3) or a JSON export (--file), "
        "upserted by SciCat pid; what was published there is published here."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--url", help="The source's API base, e.g. https://scicat/api/v3")
        source.add_argument("--file", help="A JSON array of datasets as GET /api/v3/Datasets")
        parser.add_argument("--token", default="", help="A SciCat token (Bearer)")
        parser.add_argument("--username", default="")
        parser.add_argument("--password", default="")
        parser.add_argument("--since", help="Only datasets updated since (ISO date)")
        parser.add_argument("--filter", help='More "where" conditions (JSON object)')
        parser.add_argument(
            "--all", action="store_true", help="Also unpublished datasets (imported as drafts)"
        )
        parser.add_argument("--dry-run", action="store_true", help="Write nothing; report")
        parser.add_argument("--quiet", action="store_true", help="No progress bar")
        parser.add_argument(
            "--jobs",
            type=int,
            default=default_jobs(),
            help="Worker processes importing chunks side by side (default: the CPUs, at most "
            "4; 1: this process alone)",
        )

    def handle(self, *args, **options):
        where = None
        if options["filter"]:
            try:
                where = json.loads(options["filter"])
            except ValueError as exc:
                raise CommandError(f"--filter is not JSON: {exc}") from None
            if not isinstance(where, dict):
                raise CommandError("--filter must be a JSON object of where conditions")
        if options["username"] and not options["password"]:
            raise CommandError("--username needs --password")
        if options["jobs"] < 1:
            raise CommandError("--jobs must be 1 or more")
        rejected = []

        def progress(total):
            return tqdm(
                total=total,
                desc="Datasets",
                unit="ds",
                disable=options["quiet"],
                file=self.stderr._out,
            )

        def on_record(outcome, pid, reason):
            if outcome == REJECTED:
                rejected.append((pid, reason))

        try:
            summary = run_import(
                url=options["url"] or "",
                file=options["file"] or "",
                token=options["token"],
                username=options["username"],
                password=options["password"],
                since=options["since"],
                filter_where=where,
                published_only=not options["all"],
                dry_run=options["dry_run"],
                progress=progress,
                on_record=on_record,
                jobs=options["jobs"],
            )
        except (SourceError, OSError) as exc:
            raise CommandError(str(exc)) from None
        for pid, reason in summary.rejected:
            self.stdout.write(f"rejected {pid}: {reason}")
        prefix = "dry run, nothing written: " if options["dry_run"] else ""
        line = prefix + summary.line()
        if summary.counts["created"] + summary.counts["updated"] == 0 and not summary.rejected:
            line += " (nothing to change)"
        self.stdout.write(line)
