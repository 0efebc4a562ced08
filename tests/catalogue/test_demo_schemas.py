"""The demo's two domain-metadata schemas: its MX and reflectometry datasets pass them, the
clearly named failing draft does not (and cannot be submitted), and loading is idempotent."""

import pytest

from catalogue.checklist import dataset_checklist
from catalogue.demo.builder import DemoBuilder
from catalogue.demo.schemas import FAILING_DRAFT_PID, FAILING_DRAFT_TITLE
from catalogue.domainschemas.selectors import dataset_schema_violations, dataset_schemas
from catalogue.models import Dataset, MetadataSchema
from catalogue.services import lifecycle
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_demo_schemas_pass_the_demo_datasets_and_fail_the_named_draft():
    builder = DemoBuilder()
    builder.build_context()
    schemas = {s.name: s for s in MetadataSchema.objects.all()}
    assert {(n, s.kind, s.version) for n, s in schemas.items()} == {
        ("mx-diffraction", "json-schema", 1),
        ("orso-reflectivity", "linkml", 1),
    }
    # The instruments' datasets of the demo plan (every status), built as load_demo does.
    wanted = {"petra3-p11": "mx-diffraction", "isis-offspec": "orso-reflectivity"}
    built = 0
    for spec in builder.plan():
        if spec["instrument"]["code"] in wanted and not spec["real"]:
            dataset, _ = builder._dataset(spec)
            assert [s.name for s in dataset_schemas(dataset)] == [
                wanted[spec["instrument"]["code"]]
            ]
            assert dataset_schema_violations(dataset) == [], dataset.title
            built += 1
    assert built >= 6

    draft = Dataset.objects.get(pid=FAILING_DRAFT_PID)
    assert draft.title == FAILING_DRAFT_TITLE and draft.status == "draft"
    item = {i.id: i for i in dataset_checklist(draft)}["domain_schema"]
    assert not item.passed and item.level == "blocking"
    assert "/beamline/energy/value: 50 is greater than the maximum of 25" in item.message
    alice = UserFactory(username="alice-demo")
    alice.groups.add(draft.owner_group)
    with pytest.raises(lifecycle.ChecklistBlocked) as blocked:
        lifecycle.dataset_submit(dataset=draft, actor=alice)
    assert "domain_schema" in {i.id for i in blocked.value.items}

    DemoBuilder().build_context()  # again: no new version, no second draft
    assert MetadataSchema.objects.count() == 2
    assert Dataset.objects.filter(title=FAILING_DRAFT_TITLE).count() == 1
