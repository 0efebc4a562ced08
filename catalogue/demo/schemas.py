"""The demo's domain-metadata schemas (issue 12 §5) and the one draft that fails them.

* ``mx-diffraction`` (JSON Schema 2020-12) for macromolecular crystallography (PaNET01164):
  the P11 datasets' energy, wavelength, detector distance, temperature ranges per unit.
* ``orso-reflectivity`` (LinkML YAML, converted by linkml's generator) for reflectometry
  (PaNET01121), the broad technique: it applies to OFFSPEC's *neutron* reflectometry datasets
  through PaNET's hierarchy.

Every recipe dataset of those instruments passes (the recipes stay inside the ranges); the
draft "Schema check demo: MX draft that fails the mx-diffraction schema" in alice's P11
proposal group does not, so its checklist shows the errors and submitting it is refused.
Idempotent: a second run stores no new version and changes nothing.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from django.contrib.auth.models import Group
from django.db import transaction

from catalogue.models import Creator, Dataset, Status
from catalogue.services.schemas import metadata_schema_load

SCHEMAS_DIR = Path(__file__).resolve().parent.parent / "data" / "schemas"
DEMO_SCHEMAS = [
    dict(name="mx-diffraction", kind="json-schema", file="mx-diffraction.schema.json",
         title="Macromolecular crystallography: rotation data collection",
         techniques=["PaNET01164"], instruments=[]),
    dict(name="orso-reflectivity", kind="linkml", file="orso-reflectivity.linkml.yaml",
         title="ORSO-like reflectometry metadata (LinkML)",
         techniques=["PaNET01121"], instruments=[]),
]  # fmt: skip
FAILING_DRAFT_PID = uuid.uuid5(uuid.UUID("8d0b6c1e-2f4a-5b7c-9d1e-3f5a7b9c1d2e"), "schema-fail")
FAILING_DRAFT_TITLE = "Schema check demo: MX draft that fails the mx-diffraction schema"
FAILING_METADATA = {
    "beamline": {"energy": {"value": 50, "unit": "keV"},  # above 25 keV
                 "wavelength": {"value": 0.248, "unit": "angstrom"}},  # below 0.5 Å
    "detector": {"distance": {"value": 200}, "model": "EIGER2 X 16M"},  # no unit
    "sample": {"temperature": {"value": 100, "unit": "K"}},
    "space_group": "P43212",  # Hermann-Mauguin symbols are written with spaces
}  # fmt: skip


def build_demo_schemas(builder) -> None:
    """Load the two schemas and the failing draft (called once from DemoBuilder)."""
    for spec in DEMO_SCHEMAS:
        _, stored = metadata_schema_load(
            name=spec["name"], kind=spec["kind"], title=spec["title"],
            source=(SCHEMAS_DIR / spec["file"]).read_text(encoding="utf-8"),
            techniques=spec["techniques"], instruments=spec["instruments"], if_changed=True,
        )  # fmt: skip
        if stored:
            builder.progress(f"schema {spec['name']} stored ({spec['kind']})")
    inst = builder.instruments["petra3-p11"]
    proposal = builder.proposals[("petra3-p11", 0)]  # alice's proposal group
    with transaction.atomic():
        if Dataset.objects.filter(pid=FAILING_DRAFT_PID).exists():
            return
        dataset = Dataset.objects.create(
            pid=FAILING_DRAFT_PID,
            status=Status.DRAFT,
            title=FAILING_DRAFT_TITLE,
            description="A draft whose scientific metadata breaks the demo's MX schema: open "
            "its checklist to see the errors, each with the JSON pointer and the rule.",
            publisher=inst.facility.name,
            publication_year=builder.now.year,
            facility=inst.facility,
            instrument=inst,
            sample_name="thermolysin",
            scientific_metadata=FAILING_METADATA,
            owner_group=Group.objects.get(name=builder._group_name(proposal)),
        )
        dataset.techniques.set([builder.techniques["PaNET01164"]])
        Creator.objects.create(dataset=dataset, position=0, name="Okafor, Amara",
                               given_name="Amara", family_name="Okafor")  # fmt: skip
