"""manage.py load_demo: build (or bring up to date) the demo catalogue. Idempotent."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from tqdm import tqdm

from catalogue.demo.builder import DemoBuilder


class Command(BaseCommand):
    help = (
        "Build the demo catalogue: 4 facilities, 11 instruments, 64 datasets in every "
        "lifecycle state, real HDF5/NeXus sample files and one dataset with 5,000+ files. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-progress", action="store_true", help="No progress bar (logs only)."
        )
        parser.add_argument(
            "--demo-users",
            action="store_true",
            help="Create the demo logins even in production mode (make prod's local stack).",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        quiet = options["no_progress"]
        builder = DemoBuilder(progress=lambda m: self.stderr.write(f"  {m}"))
        self.stderr.write("Demo catalogue: facilities, instruments, proposals, beamtimes…")
        builder.build_context()
        n = len(builder.plan())
        with tqdm(total=n, desc="Datasets", unit="ds", disable=quiet, file=self.stderr._out) as bar:
            summary = builder.build_datasets(on_dataset=lambda d: bar.update(1))
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue ready: {summary.datasets} datasets ({summary.created} new), "
                f"{summary.files:,} files, in {time.monotonic() - started:.1f} s."
            )
        )
        if settings.PRODUCTION and not options["demo_users"]:
            self.stdout.write("Production mode: no demo users were created.")
            return
        logins = builder.build_users()
        self.stdout.write("Demo logins (for trying the portal out; never on a public server):")
        for username, password, role in logins:
            self.stdout.write(f"  {role:<10} {username} / {password}")
        self._print_review_link()

    def _print_review_link(self):
        from catalogue.demo.review_links import DEMO_DAYS, demo_review_link

        made = demo_review_link()
        if made is not None:
            dataset, url = made
            self.stdout.write(
                f"Reviewer link (no log-in; '{dataset.title}', {dataset.get_status_display()}, "
                f"{DEMO_DAYS} days):\n  {url}"
            )
