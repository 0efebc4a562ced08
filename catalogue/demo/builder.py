"""Build the demo catalogue: idempotent and deterministic.

Every value comes from one seeded random generator consumed in a fixed order, and every row
is found by a stable key (UUIDv5 PIDs, codes, ids), so a second run changes nothing. New
datasets go through the real lifecycle services (draft → submitted → … → published).
"""

import datetime
import random
import shutil
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from catalogue.identifiers import orcid_checksum
from catalogue.models import (
    Beamtime,
    Dataset,
    DatasetEvent,
    Facility,
    Instrument,
    Proposal,
    Status,
    Technique,
)
from catalogue.roles import ensure_curators_group
from catalogue.services import lifecycle
from catalogue.services.files import dataset_files_register, scan_folder
from catalogue.storage import dataset_folder

from . import content
from .conversations import build_conversations
from .recipes import RECIPES, declared_files
from .schemas import build_demo_schemas
from .versions import build_versioned_record

NAMESPACE = uuid.UUID("8d0b6c1e-2f4a-5b7c-9d1e-3f5a7b9c1d2e")
SEED = 20261121
SAMPLE_FILES = Path(__file__).parent / "files"
N_ROUNDS_PUBLISHED = 4  # every instrument gets this many published datasets
UNPUBLISHED = (
    [Status.WITHDRAWN] * 2 + [Status.DRAFT] * 6 + [Status.DECLINED] + [Status.SUBMITTED] * 4
    + [Status.IN_REVIEW] * 3 + [Status.CHANGES_REQUESTED] * 2 + [Status.APPROVED] * 2
)  # fmt: skip
EMBARGOED_ROUND = 3  # in the last published round, every other dataset is under embargo
BIG_DATASET = ("esrf-id11", 2)  # (instrument, round) of the dataset with 5,000+ files
DEMO_USERS = [
    # username, password, role
    ("admin", "admin-demo", "superuser"),
    ("curator", "curator-demo", "curator"),
    ("alice", "alice-demo", "member"),
    # A beamline ingestor (issue 10): member of one proposal's owner group and of the
    # ingestor group (PORTAL_INGESTOR_GROUP), so it may also register proposals and beamtimes.
    ("ingestor", "ingestor-demo", "ingestor"),
]
ALICE_GROUPS = [("petra3-p11", 0), ("ill-d22", 1)]
INGESTOR_PROPOSAL = ("petra3-p11", 0)


@dataclass
class DemoSummary:
    datasets: int = 0
    created: int = 0
    files: int = 0
    users: list[tuple[str, str, str]] = field(default_factory=list)


def _pid(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


def _orcid(index: int) -> str:
    # 0000-0000-xxxx-xxxx: a block ORCID does not issue, so no real person is named.
    base = f"00000000{1000 + index * 37:04d}{(index * 131) % 1000:03d}"
    return f"{base[:4]}-{base[4:8]}-{base[8:12]}-{base[12:15]}{orcid_checksum(base)}"


def _sync(obj, values: dict) -> bool:
    """Set the values that differ and save; False when nothing changed."""
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    for k in changed:
        setattr(obj, k, values[k])
    if changed:
        obj.save()
    return bool(changed)


def _upsert(model, lookup: dict, values: dict):
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        return model.objects.create(**lookup, **values)
    _sync(obj, values)
    return obj


def _person(given: str, family: str, orcid: str, affiliation: str, ror: str) -> dict:
    return {"name": f"{family}, {given}" if family else "", "given_name": given,
            "family_name": family, "orcid": orcid, "affiliation": affiliation,
            "affiliation_ror": ror}  # fmt: skip


def _replace_rows(related_manager, wanted: list[dict]) -> None:
    """Make a dataset's related rows equal ``wanted`` (in order); rewrite only on a change."""
    wanted = [{**row, "position": i} if hasattr(related_manager.model, "position") else row
              for i, row in enumerate(wanted)]  # fmt: skip
    fields = list(wanted[0]) if wanted else []
    current = [{f: getattr(row, f) for f in fields} for row in related_manager.all()]
    if current == wanted:
        return
    related_manager.all().delete()
    related_manager.model.objects.bulk_create(
        related_manager.model(**{related_manager.field.name: related_manager.instance, **row})
        for row in wanted
    )


def _write(path: Path, data: bytes) -> None:
    if path.exists() and path.stat().st_size == len(data) and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


class DemoBuilder:
    def __init__(self, *, progress: Callable[[str], None] | None = None):
        self.rng = random.Random(SEED)
        self.progress = progress or (lambda message: None)
        self.now = timezone.now()

    # ------------------------------------------------------------ context
    def build_context(self) -> None:
        self.facilities = {
            f["code"]: _upsert(
                Facility, {"code": f["code"]}, {k: v for k, v in f.items() if k != "code"}
            )
            for f in content.FACILITIES
        }
        self.techniques = {
            t.panet_id: t for t in Technique.objects.filter(iri__startswith=content.PANET)
        }
        self.instruments = {}
        self.proposals: dict[tuple[str, int], Proposal] = {}
        self.beamtimes: dict[tuple[str, int, int], Beamtime] = {}
        for n, spec in enumerate(content.INSTRUMENTS):
            facility = self.facilities[spec["facility"]]
            inst = _upsert(
                Instrument,
                {"code": spec["code"]},
                {"facility": facility, "name": spec["name"],
                 "url": f"{facility.url}instruments/{spec['code'].split('-', 1)[1]}"},
            )  # fmt: skip
            self.instruments[spec["code"]] = inst
            for p in range(2):
                pid = self._proposal_id(facility.code, n, p)
                prop = _upsert(
                    Proposal,
                    {"facility": facility, "proposal_id": pid},
                    {
                        # A proposal's topic and the samples its datasets measure (its pool).
                        "title": spec["proposals"][p],
                        "abstract": f"Beamtime at {inst.name} ({facility.short_name}) on "
                        f"{_listing(_sample_pool(spec, p))}.",
                        "principal_investigator": " ".join(content.PEOPLE[(n * 2 + p) % 28]),
                        "proposal_type": [Proposal.Type.STANDARD, Proposal.Type.LONG_TERM][p],
                    },
                )
                self.proposals[(spec["code"], p)] = prop
                Group.objects.get_or_create(name=self._group_name(prop))
                for b in range(2):
                    year = 2019 + (n + p * 3 + b * 2) % 7
                    month, day = 1 + (n * 3 + b * 5) % 12, 1 + (n * 5 + p) % 27
                    start = datetime.datetime(year, month, day, 8, tzinfo=datetime.UTC)
                    self.beamtimes[(spec["code"], p, b)] = _upsert(
                        Beamtime,
                        {"proposal": prop, "beamtime_id": f"{pid}-{b + 1}"},
                        {"instrument": inst, "start": start,
                         "end": start + datetime.timedelta(days=2 + (n + b) % 4)},
                    )  # fmt: skip
        build_demo_schemas(self)  # domain-metadata schemas and their failing draft (schemas.py)

    @staticmethod
    def _proposal_id(facility: str, n: int, p: int) -> str:
        number = 1000 + n * 17 + p * 5
        return {
            "petra3": f"1101{number:04d}",
            "esrf": f"{['MA', 'HC'][p]}-{number}",
            "ill": f"{5 + p}-{31 + n % 4}-{number}",
            "isis": f"RB22{number:05d}",
        }[facility]

    @staticmethod
    def _group_name(proposal: Proposal) -> str:
        return f"proposal-{proposal.facility.code}-{proposal.proposal_id}"

    # ------------------------------------------------------------ datasets
    def plan(self) -> list[dict]:
        """Which dataset gets which instrument, status, round, embargo, real files."""
        specs = []
        instruments = content.INSTRUMENTS
        real = {}
        for code, names, kind in content.REAL_FILES:
            rounds = [r for (c, r) in real if c == code]
            real[(code, len(rounds))] = (names, kind)
        index = 0
        titles: set[str] = set()
        for rnd in range(N_ROUNDS_PUBLISHED):
            for spec in instruments:
                specs.append({"index": index, "instrument": spec, "round": rnd,
                              "status": Status.PUBLISHED,
                              "real": real.get((spec["code"], rnd)),
                              "embargo": rnd == EMBARGOED_ROUND and index % 2 == 0,
                              "big": (spec["code"], rnd) == BIG_DATASET})  # fmt: skip
                specs[-1].update(_what_was_measured(specs[-1], titles))
                index += 1
        for n, status in enumerate(UNPUBLISHED):
            spec = instruments[n % len(instruments)]
            specs.append({"index": index, "instrument": spec,
                          "round": N_ROUNDS_PUBLISHED + n, "status": status, "real": None,
                          "embargo": False, "big": False})  # fmt: skip
            specs[-1].update(_what_was_measured(specs[-1], titles))
            index += 1
        return specs

    def build_datasets(self, on_dataset: Callable[[Dataset], None] | None = None) -> DemoSummary:
        summary = DemoSummary()
        for spec in self.plan():
            dataset, created = self._dataset(spec)
            summary.datasets += 1
            summary.created += int(created)
            summary.files += dataset.file_count
            if on_dataset:
                on_dataset(dataset)
        build_versioned_record(self)  # one record with two versions (catalogue/demo/versions.py)
        return summary

    def _dataset(self, spec: dict) -> tuple[Dataset, bool]:
        rng = self.rng
        inst_spec = spec["instrument"]
        code = inst_spec["code"]
        inst = self.instruments[code]
        facility = inst.facility
        rnd, index = spec["round"], spec["index"]
        proposal = self.proposals[(code, rnd % 2)]
        beamtime = self.beamtimes[(code, rnd % 2, (rnd // 2) % 2)]
        real = spec["real"]

        # Sample, variant and title are planned (_what_was_measured): the sample from the
        # proposal's own pool, a variant that sample can have, no title twice.
        sample, variant, title = spec["sample"], spec["variant"], spec["title"]
        scimeta = RECIPES[inst_spec["recipe"]](rng)
        resolution = scimeta.get("resolution", {}).get("value", "")
        kind = real[1] if real else ("derived" if index % 7 == 3 else "raw")
        abstract = inst_spec["abstract"].format(
            sample=sample, instrument=f"{inst.name} ({facility.short_name})",
            Variant=f"Measured {variant}." if variant[0].islower() else variant + ".",
            resolution=resolution,
        )  # fmt: skip

        people = rng.sample(range(len(content.PEOPLE)), k=rng.randint(2, 6))
        carberry = index % 13 == 5
        keywords = rng.sample(
            inst_spec["keywords"], k=min(len(inst_spec["keywords"]), rng.randint(3, 5))
        )
        licence = rng.choices(["CC-BY-4.0", "CC0-1.0", "CC-BY-SA-4.0"], weights=[7, 2, 1])[0]
        funded = rng.random() < 0.5
        funder = rng.choice(content.FUNDERS)
        related_article = rng.random() < 0.4

        published = spec["status"] in (Status.PUBLISHED, Status.WITHDRAWN)
        # Published some weeks to two years after the beamtime, never in the future.
        published_at = min(
            beamtime.end + datetime.timedelta(days=45 + (index * 37) % 700),
            self.now - datetime.timedelta(days=1 + index),
        )
        pid = _pid(f"demo-dataset-{index}")
        folder = f"{facility.code}/{proposal.proposal_id}/{pid.hex[:12]}"
        values = {
            "title": title,
            "description": abstract,
            "additional_descriptions": [
                {"description": f"Data collected on {inst.name}; see the scientific metadata "
                                "for the acquisition parameters.", "descriptionType": "Methods"}
            ],
            "publisher": facility.name,
            "publisher_identifier": facility.ror,
            "publication_year": published_at.year if published else (
                None if spec["status"] == Status.DRAFT and index % 2 else self.now.year),
            "resource_type_general": "Dataset",
            "resource_type": kind,
            "keywords": keywords,
            "license": licence,
            "language": "en",
            "version": "1.0" if index % 9 else "2.0",
            "collection_start": beamtime.start,
            "collection_end": beamtime.end,
            "dates": [{"date": beamtime.end.date().isoformat(), "dateType": "Created"}],
            "facility": facility,
            "instrument": inst,
            "beamtime": beamtime,
            "sample_name": sample,
            "sample_description": f"{sample.capitalize()} prepared for {proposal.proposal_id}.",
            "scientific_metadata": scimeta,
            "storage_folder": folder,
            "download_base_url": "",
            "embargo_until": datetime.date(self.now.year + 1, 1 + index % 12, 1)
            if spec["embargo"] else None,
            "owner_group": Group.objects.get(name=self._group_name(proposal)),
        }  # fmt: skip
        with transaction.atomic():
            dataset = Dataset.objects.filter(pid=pid).first()
            created = dataset is None
            if created:
                dataset = Dataset.objects.create(pid=pid, **values)
            else:
                _sync(dataset, values)
            dataset.techniques.set([self.techniques[t] for t in inst_spec["techniques"]])
            self._agents(
                dataset, people, carberry, skip=spec["status"] == Status.DRAFT and index % 3 == 0
            )
            self._related(dataset, spec, related_article, funded, funder)
        self._files(dataset, spec, rng)
        if created:
            self._move(dataset, spec["status"], published_at)
            dataset.refresh_from_db()
        return dataset, created

    def _agents(self, dataset: Dataset, people: list[int], carberry: bool, skip: bool) -> None:
        creators = []
        if not skip:  # some drafts lack creators, to show the DataCite completeness check
            for k in people:
                given, family = content.PEOPLE[k]
                aff = content.AFFILIATIONS[k % len(content.AFFILIATIONS)]
                creators.append(_person(given, family, _orcid(k), *aff))
            if carberry:
                creators.append(
                    _person("Josiah", "Carberry", "0000-0002-1825-0097", "Brown University",
                            "https://ror.org/05gq02987")
                )  # fmt: skip
        _replace_rows(dataset.creators, creators)
        k = (people[0] + 11) % len(content.PEOPLE)
        given, family = content.PEOPLE[k]
        facility = dataset.facility
        _replace_rows(
            dataset.contributors,
            [
                {**_person(given, family, _orcid(k), facility.name, facility.ror),
                 "contributor_type": "DataCollector"},
                {**_person("", "", "", "", ""), "name": facility.name,
                 "name_type": "Organizational", "contributor_type": "HostingInstitution"},
            ],
        )  # fmt: skip

    def _related(self, dataset, spec, related_article, funded, funder) -> None:
        index = spec["index"]
        related = []
        if related_article:
            related.append({
                "identifier": f"{content.FICTITIOUS_DOI_PREFIX}/jpanrd.2024.{100 + index:04d}",
                "identifier_type": "DOI",
                "relation_type": "IsSupplementTo", "resource_type_general": "JournalArticle",
                "citation": f"{dataset.sample_name.capitalize()} studied at "
                            f"{dataset.facility.short_name}. J. PaN Res. Data 12, {100 + index} "
                            "(2024)",
            })  # fmt: skip
        if dataset.resource_type == "derived":
            raw_pid = _pid(f"demo-dataset-{content.INSTRUMENTS.index(spec['instrument'])}")
            # DOIs are random (doi.identifiers): the raw dataset's own, once it has one.
            raw_doi = Dataset.objects.filter(pid=raw_pid).values_list("doi", flat=True).first()
            if raw_pid != dataset.pid and raw_doi:
                related.append({"identifier": raw_doi, "identifier_type": "DOI",
                                "relation_type": "IsDerivedFrom", "citation": "Raw data",
                                "resource_type_general": "Dataset"})  # fmt: skip
        _replace_rows(dataset.related_identifiers, related)
        funding = []
        if funded:
            name, ror, award, short = funder
            funding.append({"funder_name": name, "funder_identifier": ror,
                            "funder_identifier_type": "ROR", "award_number": f"{award}{index:02d}",
                            "award_title": f"{short} project {index}"})  # fmt: skip
        _replace_rows(dataset.funding_references, funding)

    # ------------------------------------------------------------ files
    def _files(self, dataset: Dataset, spec: dict, rng: random.Random) -> None:
        folder = dataset_folder(dataset.storage_folder)
        readme = (
            f"{dataset.title}\n\n{dataset.description}\n\nFacility: {dataset.facility.name}\n"
            f"Instrument: {dataset.instrument.name}\nPID: {dataset.pid}\n"
        ).encode()
        _write(folder / "README.txt", readme)
        n_profiles = rng.randint(2, 5)
        for k in range(n_profiles):
            rows = "\n".join(
                f"{0.005 * (i + 1):.4f},{abs(rng.gauss(1000 / (i + 1), 5)):.3f}" for i in range(60)
            )
            _write(
                folder / "processed" / f"profile_{k + 1:03d}.csv", f"q,intensity\n{rows}\n".encode()
            )
        _write(folder / "logs" / "acquisition.log",
               "".join(f"2024-05-0{1 + i % 9}T10:{i:02d}:00Z frame {i} ok\n"
                       for i in range(rng.randint(20, 80))).encode())  # fmt: skip
        if spec["real"]:
            for name in spec["real"][0]:
                src = next(SAMPLE_FILES.rglob(name))
                dst = folder / name
                if not dst.exists() or dst.stat().st_size != src.stat().st_size:
                    shutil.copyfile(src, dst)
        if spec["big"]:
            self.progress(f"writing {content.BIG_DATASET_FILES:,} projection files")
            for k in range(content.BIG_DATASET_FILES):
                _write(folder / "projections" / f"proj_{k:05d}.raw",
                       (k.to_bytes(4, "little") * 64))  # fmt: skip
            for kind in ("flats", "darks"):
                for k in range(20):
                    _write(folder / kind / f"{kind[:-1]}_{k:02d}.raw", bytes([k]) * 256)
        dataset_files_register(
            dataset=dataset, files=[*scan_folder(dataset.storage_folder), *_declared(dataset, spec)]
        )

    # ------------------------------------------------------------ lifecycle
    def _move(self, dataset: Dataset, target: str, published_at: datetime.datetime) -> None:
        path = {
            Status.DRAFT: [],
            Status.SUBMITTED: ["submit"],
            Status.IN_REVIEW: ["submit", "review"],
            Status.CHANGES_REQUESTED: ["submit", "review", "changes"],
            Status.APPROVED: ["submit", "review", "approve"],
            Status.DECLINED: ["submit", "review", "decline"],
            Status.PUBLISHED: ["submit", "review", "approve", "publish"],
            Status.WITHDRAWN: ["submit", "review", "approve", "publish", "withdraw"],
        }[target]
        steps = {
            "submit": lambda d: lifecycle.dataset_submit(dataset=d, actor=None),
            "review": lambda d: lifecycle.dataset_start_review(dataset=d, actor=None),
            "changes": lambda d: lifecycle.dataset_request_changes(
                dataset=d, actor=None, comment="Please add the sample preparation to Methods."),
            "approve": lambda d: lifecycle.dataset_approve(dataset=d, actor=None),
            "decline": lambda d: lifecycle.dataset_decline(
                dataset=d, actor=None, comment="Calibration runs belong in the facility archive."),
            "publish": lambda d: lifecycle.dataset_publish(dataset=d, actor=None),
            "withdraw": lambda d: lifecycle.dataset_withdraw(
                dataset=d, actor=None,
                reason="The detector calibration was wrong; a corrected dataset replaces it."),
        }  # fmt: skip
        for step in path:
            dataset = steps[step](dataset)
        if target in (Status.PUBLISHED, Status.WITHDRAWN):
            # Back-date publication so the demo spans several years.
            Dataset.objects.filter(pk=dataset.pk).update(published_at=published_at)
            for n, event in enumerate(dataset.events.order_by("id")):
                DatasetEvent.objects.filter(pk=event.pk).update(
                    created_at=published_at - datetime.timedelta(days=10 - 2 * n)
                )

    # ------------------------------------------------------------ users
    def build_users(self) -> list[tuple[str, str, str]]:
        user_model = get_user_model()
        curators = ensure_curators_group()
        logins = []
        for username, password, role in DEMO_USERS:
            user = user_model.objects.filter(username=username).first() or user_model(
                username=username, email=f"{username}@example.org"
            )
            user.is_superuser = role == "superuser"
            user.is_staff = role in ("superuser", "curator")
            user.set_password(password)
            user.save()
            if role == "curator":
                user.groups.add(curators)
            if role == "member":
                for code, p in ALICE_GROUPS:
                    user.groups.add(
                        Group.objects.get(name=self._group_name(self.proposals[(code, p)]))
                    )
            if role == "ingestor":
                user.groups.add(
                    Group.objects.get(name=self._group_name(self.proposals[INGESTOR_PROPOSAL])),
                    Group.objects.get_or_create(name=settings.INGESTOR_GROUP)[0],
                )
            logins.append((username, password, role))
        build_conversations(self)  # alice's datasets in every state, with their conversations
        return logins


def _sample_pool(spec: dict, p: int) -> list[str]:
    """The samples of an instrument's proposal ``p``: every other sample of the instrument."""
    samples = list(spec["samples"])
    return samples[p::2] or samples


def _what_was_measured(spec: dict, titles: set[str]) -> dict:
    """Sample, variant and title of a planned dataset (no random draws: the plan is fixed).

    The sample comes from its proposal's pool (proposal ``round % 2``), so a dataset never
    measures what its proposal is not about; a real file that shows a sample fixes it. The
    variant is one the sample can have (content.INSTRUMENTS), the first that gives a title no
    other record has."""
    inst, rnd, index = spec["instrument"], spec["round"], spec["index"]
    pool = _sample_pool(inst, rnd % 2)
    sample = pool[(rnd // 2 + index) % len(pool)]
    for name in (spec["real"] or ([],))[0]:
        sample = content.REAL_FILE_SAMPLES.get(name, sample)
    variants = inst["samples"][sample]
    start = (index // 3) % len(variants)
    for k in range(len(variants) + 1):
        variant = variants[(start + k) % len(variants)]
        title = inst["title"].format(sample=sample, variant=variant)
        if k == len(variants):  # every variant taken: say which beamtime it is
            title = f"{title} (beamtime {rnd + 1})"
        if title not in titles:
            break
    if spec["big"]:
        title = f"Time-lapse tomography of {sample} with {content.BIG_DATASET_FILES:,} projections"
    titles.add(title)
    return {"sample": sample, "variant": variant, "title": title}


def _declared(dataset: Dataset, spec: dict) -> list[dict]:
    """The raw data the detectors wrote, declared with their sizes (not on this disk:
    recipes.declared_files). The 5,044-file dataset keeps its files as they are on disk."""
    if spec["big"]:
        return []
    recipe = spec["instrument"]["recipe"]
    return [
        {"path": path, "size": size}
        for path, size in declared_files(recipe, dataset.scientific_metadata, spec["index"])
    ]


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
