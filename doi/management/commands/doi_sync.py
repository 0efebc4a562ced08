"""manage.py doi_sync [--all] [--check]: compare DataCite with the portal and repair drift.

Without ``--all`` only registrations that wait (pending, failed, or never confirmed) are
looked at; ``--all`` takes every DOI. For each, DataCite's record (``GET /dois/{doi}``) is
compared with what the dataset needs now: state, URL and metadata (the XML). ``--check``
reports the differences and changes nothing (exit status 1 if there are any); otherwise each
drifted DOI is brought in step (the local state is first set to what DataCite holds, then
the missing step is sent). Progress is shown as a bar on stderr.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q
from tqdm import tqdm

from doi.client import DataCiteError
from doi.models import DoiRegistration, DoiState
from doi.services import doi_sync, target_for
from doi.tasks import datacite_client


def _drift(registration: DoiRegistration, remote) -> list[str]:
    target = target_for(registration)
    if target is None:
        return []
    if remote is None:
        return (
            []
            if target.state == DoiState.DRAFT and registration.state == "reserved"
            else ["missing at DataCite"]
        )
    problems = []
    if remote.state != target.state:
        problems.append(f"state {remote.state}, should be {target.state}")
    if target.state != DoiState.DRAFT and remote.url != target.url:
        problems.append(f"url {remote.url!r}, should be {target.url!r}")
    if remote.xml != target.xml:
        problems.append("metadata differ")
    if registration.state != remote.state:
        problems.append(f"local state {registration.state}, DataCite {remote.state}")
    return problems


class Command(BaseCommand):
    help = "Compare DOIs at DataCite with the portal's datasets and repair the differences."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="every DOI, not only waiting ones")
        parser.add_argument("--check", action="store_true", help="report only, change nothing")

    def handle(self, *args, all: bool = False, check: bool = False, **options):
        client = datacite_client()
        if client is None:
            raise CommandError(
                "DataCite registration is off (PORTAL_DATACITE_ENABLED, "
                "PORTAL_DATACITE_REPOSITORY_ID, PORTAL_DATACITE_PASSWORD, PORTAL_DATACITE_PREFIX)."
            )
        # Datasets' DOIs and concept DOIs (which follow a record's latest version).
        registrations = DoiRegistration.objects.filter(
            Q(dataset__isnull=False) | Q(concept__isnull=False)
        )
        if not all:
            registrations = registrations.filter(
                Q(pending=True) | Q(failed=True) | Q(last_synced__isnull=True)
            )
        drifted = repaired = failed = 0
        total = registrations.count()
        rows = registrations.select_related("dataset", "concept").order_by("pk")
        bar = tqdm(
            rows.iterator(chunk_size=200),
            total=total, unit="doi", desc="doi_sync", file=self.stderr, disable=None,
        )  # fmt: skip
        for registration in bar:
            try:
                remote = client.get_doi(registration.doi)
                problems = _drift(registration, remote)
            except DataCiteError as exc:
                failed += 1
                self.stdout.write(f"{registration.doi}: {exc}")
                continue
            if not problems:
                continue
            drifted += 1
            self.stdout.write(f"{registration.doi}: " + "; ".join(problems))
            if check:
                continue
            if remote is not None:
                # Start from what DataCite holds, not from what we believed.
                registration.state = remote.state
                registration.availability_checked = True
                registration.metadata_checksum = ""
                registration.save(
                    update_fields=["state", "availability_checked", "metadata_checksum"]
                )
            result = doi_sync(registration=registration, client=client, force=True)
            if result.outcome == "in_step":
                repaired += 1
            else:
                failed += 1
                registration.refresh_from_db()
                self.stdout.write(f"{registration.doi}: not repaired: {registration.last_error}")
        verb = "differ" if check else "differed"
        self.stdout.write(
            f"{total} DOI(s) compared, {drifted} {verb} from the portal"
            + ("" if check else f", {repaired} repaired")
            + (f", {failed} failed" if failed else "")
            + "."
        )
        if check and drifted:
            raise CommandError(f"{drifted} DOI(s) differ from the portal (run without --check).")
