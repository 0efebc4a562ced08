"""Demo conversations: one of alice's datasets in every lifecycle state, each with a short
review conversation between alice (the owner) and the curator.

Everything goes through the services a person would use: alice deposits with the one writer
(``dataset_create``), registers a file, submits; the curator reviews with the lifecycle's
transition functions; both comment with ``dataset_comment``. So "My datasets" (alice), the
review queue and the admin (curator) open on real conversations. Idempotent: a dataset is
found by its storage folder and built only once. The demo's e-mails are not sent (the demo
addresses are made up).
"""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.test.utils import override_settings
from django.utils import timezone

from catalogue.models import Dataset, DatasetEvent, Status
from catalogue.services import lifecycle
from catalogue.services.curation import dataset_comment
from catalogue.services.datasets import dataset_create, dataset_update
from catalogue.services.files import dataset_files_register, scan_folder
from catalogue.storage import dataset_folder

FOLDER = "demo-conversations/{state}"
OWNER, CURATOR = "alice", "curator"
INSTRUMENT = ("petra3-p11", 0)  # alice's proposal group on P11 (builder.ALICE_GROUPS)

# (state, title, steps); a step is (who, what, comment): what is "comment" or a transition
# target. Written as a facility's curators and users would write them.
SCRIPTS = [
    (Status.DRAFT, "Serial crystallography of lysozyme microcrystals on a fixed target", [
        (OWNER, "comment", "Note for myself: add the dark frames from the second shift before "
                           "submitting."),
    ]),
    (Status.SUBMITTED, "Lysozyme microcrystals at room temperature, chip 2", [
        (OWNER, Status.SUBMITTED, ""),
        (OWNER, "comment", "The merged intensities are in processed/; the raw frames follow "
                           "once the transfer from the beamline has finished."),
    ]),
    (Status.IN_REVIEW, "Thaumatin crystals grown in a microfluidic chip", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, "comment", "I am looking at it this week. The beam energy says 12.4 eV: "
                             "I suppose keV?"),
        (OWNER, "comment", "Yes, keV. I will fix the unit if you need anything else too."),
    ]),
    (Status.CHANGES_REQUESTED, "Proteinase K microcrystals, dose series", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.CHANGES_REQUESTED,
         "Please describe the sample preparation in the abstract (buffer, crystal size) and give "
         "the second creator's ORCID iD."),
        (OWNER, "comment", "Will do. Amara is registering her ORCID iD today."),
    ]),
    (Status.APPROVED, "Glucose isomerase crystals, temperature series", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.CHANGES_REQUESTED, "The licence says CC0 but your proposal asks for "
                                            "CC BY: which one do you want?"),
        (OWNER, "comment", "CC BY 4.0, please; the collaboration wants attribution."),
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.APPROVED, ""),
        (CURATOR, "comment", "Approved. I publish it on Monday with the other P11 datasets."),
    ]),
    (Status.PUBLISHED, "Insulin microcrystals on a silicon chip", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.APPROVED, ""),
        (CURATOR, Status.PUBLISHED, ""),
        (CURATOR, "comment", "Published; the DOI is on the record page. Thank you!"),
        (OWNER, "comment", "Thanks, citing it in the paper now."),
    ]),
    (Status.WITHDRAWN, "Lysozyme microcrystals, chip 1 (superseded)", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.APPROVED, ""),
        (CURATOR, Status.PUBLISHED, ""),
        (OWNER, "comment", "We found that the detector distance in the metadata was wrong for "
                           "the whole chip; the corrected data are in chip 2. Please withdraw."),
        (CURATOR, Status.WITHDRAWN, "Wrong detector distance in the metadata; superseded by "
                                    "the chip 2 dataset."),
    ]),
    (Status.DECLINED, "Detector test: empty chip, background only", [
        (OWNER, Status.SUBMITTED, ""),
        (CURATOR, Status.IN_REVIEW, ""),
        (CURATOR, Status.DECLINED, "Background runs without a sample belong in the facility "
                                   "archive, not in a published dataset. Reopen it if you want "
                                   "to add them to a measurement."),
        (OWNER, "comment", "Understood, thanks."),
    ]),
]  # fmt: skip


def build_conversations(builder) -> list[Dataset]:
    """The datasets of :data:`SCRIPTS` (after ``builder.build_users``), built once each."""
    users = get_user_model().objects.in_bulk([OWNER, CURATOR], field_name="username")
    if set(users) != {OWNER, CURATOR}:
        return []
    proposal = builder.proposals[INSTRUMENT]
    instrument = builder.instruments[INSTRUMENT[0]]
    built = []
    # Every step notifies someone (after commit); the demo's addresses are made up.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        for n, (state, title, steps) in enumerate(SCRIPTS):
            folder = FOLDER.format(state=state)
            dataset = Dataset.objects.filter(storage_folder=folder).first()
            if dataset is None:
                dataset = _conversation(
                    users, title=title, steps=steps, folder=folder, n=n, now=builder.now,
                    group=builder._group_name(proposal), instrument=instrument,
                )  # fmt: skip
            built.append(dataset)
    return built


def _conversation(users, *, title, steps, folder, n, now, group, instrument) -> Dataset:
    alice = users[OWNER]
    with transaction.atomic():
        dataset = dataset_create(
            actor=alice,
            data={
                "title": title,
                "description": f"{title}. Serial synchrotron crystallography at "
                f"{instrument.name}; frames collected on a fixed-target chip at room "
                "temperature, merged with CrystFEL.",
                "keywords": ["serial crystallography", "fixed target", "room temperature"],
                "publisher": instrument.facility.name,
                "publication_year": now.year,
                "license": "CC-BY-4.0",
                "facility": instrument.facility.code,
                "instrument": instrument.code,
                "owner_group": group,
                "creators": [
                    {
                        "name": "Liddell, Alice",
                        "orcid": "0000-0002-1825-0097",
                        "affiliation": {
                            "name": "University of Hamburg",
                            "ror": "https://ror.org/00g30e956",
                        },
                    },
                    {
                        "name": "Okafor, Amara",
                        "orcid": "0000-0002-1694-233X",
                        "affiliation": {
                            "name": instrument.facility.name,
                            "ror": instrument.facility.ror,
                        },
                    },
                ],
                "scientific_metadata": {
                    "beam": {"energy": {"value": 12.4, "unit": "keV"}},
                    "detector": {"distance": {"value": 200 + 10 * n, "unit": "mm"}},
                    "crystals": {"size": {"value": 15, "unit": "um"}},
                },
            },
        )
        # As the deposit form does: the portal picks the folder of a new deposit.
        dataset = dataset_update(dataset=dataset, actor=None, data={"storage_folder": folder})
        path = dataset_folder(folder) / "processed" / "merged.hkl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("   h   k   l        I    sigma\n   1   0   0   1523.4   31.2\n")
        dataset_files_register(dataset=dataset, files=scan_folder(folder), actor=alice)
    for who, what, comment in steps:
        actor = users[who]
        dataset.refresh_from_db()
        if what == "comment":
            dataset_comment(dataset=dataset, actor=actor, comment=comment)
        else:
            lifecycle.dataset_transition(dataset=dataset, to=what, actor=actor, comment=comment)
    # Spread the conversation over the last days, oldest first, as it would have happened.
    events = list(dataset.events.order_by("created_at", "id"))
    start = timezone.now() - datetime.timedelta(days=2 + 3 * len(events), hours=n)
    for i, event in enumerate(events):
        when = start + datetime.timedelta(days=3 * i, hours=i % 5)
        DatasetEvent.objects.filter(pk=event.pk).update(created_at=when)
    dataset.refresh_from_db()
    return dataset
