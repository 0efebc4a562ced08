"""Domain-metadata schemas (issue 12 §5): the two demo schemas against passing and failing
data, LinkML converted by linkml's own generator, JSON pointer messages, versions, which
schemas apply (broader PaNET techniques), the checklist item, the API (400 on submit, drafts
saved invalid, /api/v1/schemas), the admin upload and the deposit form's advice."""

import io
import json
import random
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from catalogue.checklist import checklist_blocking, dataset_checklist
from catalogue.demo import recipes
from catalogue.demo.schemas import FAILING_METADATA, SCHEMAS_DIR
from catalogue.domainschemas.selectors import dataset_schema_violations
from catalogue.domainschemas.validation import (
    SchemaSourceError,
    compile_schema,
    metadata_violations,
)
from catalogue.models import MetadataSchema, Status
from catalogue.services.errors import DatasetInputError
from catalogue.services.schemas import metadata_schema_load, metadata_schema_save
from tests.factories import (
    CuratorFactory,
    DataFileFactory,
    DatasetFactory,
    GroupFactory,
    InstrumentFactory,
    UserFactory,
    technique,
)

MX_SOURCE = (SCHEMAS_DIR / "mx-diffraction.schema.json").read_text()
ORSO_SOURCE = (SCHEMAS_DIR / "orso-reflectivity.linkml.yaml").read_text()


@pytest.fixture(scope="module")
def mx_schema() -> dict:
    return compile_schema(kind="json-schema", source=MX_SOURCE)


@pytest.fixture(scope="module")
def orso_schema() -> dict:
    return compile_schema(kind="linkml", source=ORSO_SOURCE)


def _texts(schema: dict, metadata, name="s", version=1) -> list[str]:
    found = metadata_violations(
        schema=schema, metadata=metadata, schema_name=name, schema_version=version
    )
    return [v.text() for v in found]


# ---------------------------------------------------------------- pure: the two demo schemas
def test_every_demo_recipe_passes_its_schema(mx_schema, orso_schema):
    rng = random.Random(7)
    for _ in range(200):  # the recipes vary units (K/degC, keV/eV, mm/m) and the short form
        assert _texts(mx_schema, recipes.mx(rng)) == []
        assert _texts(orso_schema, recipes.refl(rng)) == []


def test_mx_schema_names_pointer_and_rule_of_each_bad_value(mx_schema):
    texts = _texts(mx_schema, FAILING_METADATA, "mx-diffraction", 1)
    assert texts == [
        "/beamline/energy/value: 50 is greater than the maximum of 25 "
        "(schema mx-diffraction v1, rule maximum)",
        "/beamline/wavelength/value: 0.248 is less than the minimum of 0.5 "
        "(schema mx-diffraction v1, rule minimum)",
        "/detector/distance: 'unit' is a required property (schema mx-diffraction v1, rule "
        "required)",
        "/space_group: 'P43212' does not match '^[PABCIFR]( [0-9/-]+)+$' "
        "(schema mx-diffraction v1, rule pattern)",
    ]


def test_ranges_follow_the_unit_and_the_short_form_keeps_its_keys(mx_schema):
    ok = recipes.mx(random.Random(1))
    ok["beamline"]["energy"] = {"value": 12400, "unit": "eV"}  # 12.4 keV written in eV
    assert _texts(mx_schema, ok) == []
    ok["beamline"]["energy"] = {"value": 12400, "unit": "keV"}
    ok["exposure_time"] = {"v": -1, "u": "fortnights"}
    assert _texts(mx_schema, ok) == [
        "/beamline/energy/value: 12400 is greater than the maximum of 25 (schema s v1, rule "
        "maximum)",
        "/exposure_time/u: 'fortnights' is not one of ['s', 'ms'] (schema s v1, rule enum)",
        "/exposure_time/v: -1 is less than or equal to the minimum of 0 (schema s v1, rule "
        "exclusiveMinimum)",
    ]


def test_format_checking_is_on(mx_schema):
    data = recipes.mx(random.Random(2)) | {"collection_date": "2024-13-01"}
    assert _texts(mx_schema, data) == [
        "/collection_date: '2024-13-01' is not a 'date' (schema s v1, rule format)"
    ]


def test_orso_linkml_schema_against_failing_data(orso_schema):
    bad = recipes.refl(random.Random(3))
    bad["sample"] = {"temperature": {"value": 5000, "unit": "K"}, "subphase": "oil"}
    bad["q_range"]["min"] = {"value": -0.1, "unit": "1/A"}
    bad["angles"] = [0.3, 12]
    bad["operator"] = "me"  # LinkML classes are closed
    assert _texts(orso_schema, bad, "orso-reflectivity", 2) == [
        "(root): Additional properties are not allowed ('operator' was unexpected) "
        "(schema orso-reflectivity v2, rule additionalProperties)",
        "/angles/1: 12 is greater than the maximum of 10 (schema orso-reflectivity v2, rule "
        "maximum)",
        "/q_range/min/unit: '1/A' is not one of ['1/angstrom', '1/nm'] "
        "(schema orso-reflectivity v2, rule enum)",
        "/q_range/min/value: -0.1 is less than the minimum of 0 "
        "(schema orso-reflectivity v2, rule minimum)",
        "/sample/subphase: 'oil' is not one of ['D2O', 'H2O', 'SMW', 'air'] "
        "(schema orso-reflectivity v2, rule enum)",
        "/sample/temperature/value: 5000 is greater than the maximum of 1000 "
        "(schema orso-reflectivity v2, rule maximum)",
    ]
    missing = {"q_range": bad["q_range"]}
    assert _texts(orso_schema, missing)[0] == (
        "(root): 'sample' is a required property (schema s v1, rule required)"
    )


def test_pointers_escape_slashes_and_tildes():
    schema = compile_schema(kind="json-schema", source=json.dumps(
        {"properties": {"a/b": {"properties": {"m~n": {"type": "integer"}}}}}))  # fmt: skip
    assert _texts(schema, {"a/b": {"m~n": "x"}}) == [
        "/a~1b/m~0n: 'x' is not of type 'integer' (schema s v1, rule type)"
    ]


# ---------------------------------------------------------------- LinkML, for real
def test_linkml_is_converted_by_linkmls_own_generator(orso_schema):
    from linkml.generators.jsonschemagen import JsonSchemaGenerator

    generated = json.loads(
        JsonSchemaGenerator(ORSO_SOURCE, top_class="ReflectivityMetadata").serialize()
    )
    assert orso_schema == {**generated, "$schema": "https://json-schema.org/draft/2020-12/schema"}
    temperature = orso_schema["$defs"]["Temperature"]
    # The LinkML rules (range per unit) became if/then; enums stayed enums.
    assert {"if", "then"} <= set(temperature["allOf"][0])
    assert orso_schema["$defs"]["Subphase"]["enum"] == ["D2O", "H2O", "SMW", "air"]
    assert orso_schema["required"] == ["sample", "q_range"]


@pytest.mark.parametrize(
    ("kind", "source", "says"),
    [
        ("json-schema", "{not json", "Not JSON"),
        ("json-schema", '{"type": "nonsense"}', "Not a valid JSON Schema 2020-12 at /type"),
        ("json-schema", '{"$schema": "http://json-schema.org/draft-07/schema#"}', "2020-12"),
        ("json-schema", '{"$ref": "#/$defs/missing"}', "cannot be used"),
        ("json-schema", "  ", "empty"),
        ("linkml", "classes: [", "Not YAML"),
        ("linkml", "id: x\nname: x\nclasses:\n  A:\n    attributes:\n      a: {}\n",
         "tree_root"),
        ("linkml", "id: https://x.org/x\nname: x\nclasses:\n  A:\n    tree_root: true\n"
         "    attributes:\n      a:\n        range: Nowhere\n", "Unknown range.*A.a: Nowhere"),
        ("linkml", "id: https://x.org/x\nname: x\nclasses:\n  A:\n    tree_root: true\n"
         "    is_a: Missing\n", "LinkML"),
    ],
)  # fmt: skip
def test_invalid_schemas_are_refused_with_a_reason(kind, source, says):
    with pytest.raises(SchemaSourceError, match=says):
        compile_schema(kind=kind, source=source)


# ---------------------------------------------------------------- versions and applicability
@pytest.mark.django_db
def test_a_new_upload_of_a_name_is_the_next_active_version():
    first, stored = metadata_schema_load(name="mx", kind="json-schema", source=MX_SOURCE,
                                         techniques=["PaNET01164"])  # fmt: skip
    assert stored and first.version == 1 and first.active
    same, stored = metadata_schema_load(name="mx", kind="json-schema", source=MX_SOURCE,
                                        techniques=["PaNET01164"], if_changed=True)  # fmt: skip
    assert not stored and same.pk == first.pk
    second, stored = metadata_schema_load(
        name="mx", kind="json-schema", source='{"type": "object"}'
    )
    first.refresh_from_db()
    assert stored and second.version == 2 and second.active and not first.active
    first.source = "{}"
    with pytest.raises(DatasetInputError) as refused:
        metadata_schema_save(schema=first)
    assert "cannot change" in refused.value.errors["source"][0]
    with pytest.raises(DatasetInputError) as unknown:
        metadata_schema_load(name="x", kind="json-schema", source="{}", techniques=["PaNET9"])
    assert "PaNET9" in unknown.value.errors["techniques"][0]


@pytest.mark.django_db
def test_a_schema_for_a_broad_technique_applies_to_narrower_ones_and_instruments_too():
    metadata_schema_load(name="orso", kind="linkml", source=ORSO_SOURCE,
                         techniques=["reflectometry"])  # fmt: skip
    ds = DatasetFactory(scientific_metadata={"sample": {}})
    assert dataset_schema_violations(ds) == []  # no technique, another instrument
    ds.techniques.set([technique("neutron reflectometry")])
    assert {v.pointer for v in dataset_schema_violations(ds)} == {"", "/sample"}
    other = DatasetFactory(scientific_metadata={"energy": 1})
    metadata_schema_load(name="inst", kind="json-schema", instruments=[other.instrument.code],
                         source='{"required": ["detector"]}')  # fmt: skip
    assert [v.rule for v in dataset_schema_violations(other)] == ["required"]
    # Inactive versions are not checked.
    MetadataSchema.objects.filter(name="inst").update(active=False)
    assert dataset_schema_violations(other) == []


# ---------------------------------------------------------------- checklist and API
@pytest.fixture
def alice():
    user = UserFactory(username="alice")
    user.groups.add(GroupFactory(name="p-1"))
    return user


@pytest.fixture
def orso_draft(alice, db):
    metadata_schema_load(name="orso-reflectivity", kind="linkml", source=ORSO_SOURCE,
                         techniques=["PaNET01121"])  # fmt: skip
    metadata_schema_load(name="orso-reflectivity", kind="linkml", source=ORSO_SOURCE + "\n")
    ds = DatasetFactory(owner_group=alice.groups.get(), created_by=alice,
                        scientific_metadata=recipes.refl(random.Random(4)))  # fmt: skip
    ds.techniques.set([technique("neutron reflectometry")])
    DataFileFactory(dataset=ds)
    return ds


@pytest.mark.django_db
def test_the_checklist_item_is_blocking_and_lists_the_errors(orso_draft):
    item = {i.id: i for i in dataset_checklist(orso_draft)}["domain_schema"]
    assert item.passed and item.message == "Scientific metadata satisfies orso-reflectivity v2."
    orso_draft.scientific_metadata["sample"]["temperature"] = {"value": 5000, "unit": "K"}
    orso_draft.save()
    item = {i.id: i for i in dataset_checklist(orso_draft)}["domain_schema"]
    assert [i.id for i in checklist_blocking(dataset_checklist(orso_draft))] == ["domain_schema"]
    assert item.level == "blocking" and not item.passed
    assert item.message == (
        "Scientific metadata breaks 1 rule(s) of orso-reflectivity v2: "
        "/sample/temperature/value: 5000 is greater than the maximum of 1000 "
        "(schema orso-reflectivity v2, rule maximum)"
    )
    assert item.as_dict()["errors"] == {
        "scientific_metadata/sample/temperature/value": [item.message.split(": ", 1)[1]]
    }


@pytest.mark.django_db
def test_api_drafts_save_invalid_submission_is_400_keyed_by_json_path(alice, orso_draft):
    api = APIClient()
    api.force_authenticate(alice)
    base = f"/api/v1/datasets/{orso_draft.pid}"
    bad = dict(orso_draft.scientific_metadata)
    bad["sample"] = {"temperature": {"value": 5000, "unit": "K"}, "subphase": "oil"}
    saved = api.patch(base, {"scientific_metadata": bad}, format="json")
    assert saved.status_code == 200, saved.content  # a draft may be saved invalid

    check = api.get(f"{base}/checklist").json()
    assert check["submittable"] is False
    item = next(i for i in check["items"] if i["id"] == "domain_schema")
    assert item["level"] == "blocking" and not item["passed"]
    assert set(item["errors"]) == {"scientific_metadata/sample/subphase",
                                   "scientific_metadata/sample/temperature/value"}  # fmt: skip

    refused = api.post(f"{base}/transitions", {"to": "submitted"}, format="json")
    assert refused.status_code == 400
    body = refused.json()
    assert body["errors"] == {
        "scientific_metadata/sample/subphase": [
            "/sample/subphase: 'oil' is not one of ['D2O', 'H2O', 'SMW', 'air'] "
            "(schema orso-reflectivity v2, rule enum)"
        ],
        "scientific_metadata/sample/temperature/value": [
            "/sample/temperature/value: 5000 is greater than the maximum of 1000 "
            "(schema orso-reflectivity v2, rule maximum)"
        ],
    }
    assert [i["id"] for i in body["checklist"]] == ["domain_schema"]
    orso_draft.refresh_from_db()
    assert orso_draft.status == Status.DRAFT

    bad["sample"] = {"temperature": {"value": 300, "unit": "K"}, "subphase": "D2O"}
    assert api.patch(base, {"scientific_metadata": bad}, format="json").status_code == 200
    done = api.post(f"{base}/transitions", {"to": "submitted"}, format="json")
    assert done.status_code == 200 and done.json()["status"] == "submitted"


@pytest.mark.django_db
def test_schemas_api_lists_versions_with_the_generated_json_schema(orso_draft):
    metadata_schema_load(name="mx", kind="json-schema", source=MX_SOURCE,
                         techniques=["PaNET01164"])  # fmt: skip
    anon = APIClient()
    listed = anon.get("/api/v1/schemas").json()
    assert [(s["name"], s["version"], s["active"]) for s in listed] == [
        ("mx", 1, True),
        ("orso-reflectivity", 2, True),
        ("orso-reflectivity", 1, False),
    ]
    orso = listed[1]
    assert orso["kind"] == "linkml" and orso["json_schema"]["$defs"]["Temperature"]
    assert orso["techniques"][0]["panet_id"] == "PaNET01121"
    # "Which schemas apply to neutron reflectometry?" finds the one for reflectometry.
    narrower = anon.get("/api/v1/schemas?technique=PaNET01239&active=true").json()
    assert [(s["name"], s["version"]) for s in narrower] == [("orso-reflectivity", 2)]
    assert anon.get("/api/v1/schemas?technique=PaNET99999").status_code == 400
    assert anon.get("/api/v1/schemas?active=maybe").status_code == 400
    detail = anon.get(f"/api/v1/schemas/{orso['id']}").json()
    assert (
        detail["source"].startswith("# ORSO-like") and detail["json_schema"] == orso["json_schema"]
    )
    assert anon.get("/api/v1/schemas/999999").status_code == 404
    # The stored schema validates exactly as an ingestor holding it would (jsonschema).
    from jsonschema import Draft202012Validator

    bad = {"sample": {"temperature": {"value": 5000, "unit": "K"}}, "q_range": {}}
    assert not Draft202012Validator(orso["json_schema"]).is_valid(bad)


# ---------------------------------------------------------------- admin, command, form
@pytest.fixture
def curator_client(client):
    client.force_login(CuratorFactory(username="cur"))
    return client


@pytest.mark.django_db
def test_admin_refuses_an_invalid_schema_with_a_message(curator_client):
    url = "/admin/catalogue/metadataschema/add/"
    r = curator_client.post(url, {"name": "broken", "kind": "json-schema",
                                  "source": '{"type": "nonsense"}', "active": "on"})  # fmt: skip
    assert r.status_code == 200
    html = r.content.decode()
    assert "Not a valid JSON Schema 2020-12 at /type" in html
    assert not MetadataSchema.objects.exists()
    upload = SimpleUploadedFile("no-root.yaml", b"id: x\nname: x\nclasses:\n  A: {}\n")
    r = curator_client.post(url, {"name": "broken", "kind": "linkml", "upload": upload})
    assert "tree_root" in r.content.decode() and not MetadataSchema.objects.exists()


@pytest.mark.django_db
def test_admin_upload_converts_linkml_and_shows_the_result_read_only(curator_client):
    upload = SimpleUploadedFile("orso.yaml", ORSO_SOURCE.encode())
    tech = technique("reflectometry")
    r = curator_client.post("/admin/catalogue/metadataschema/add/",
                            {"name": "orso", "kind": "linkml", "upload": upload,
                             "active": "on", "techniques": [tech.pk]})  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:3000]
    schema = MetadataSchema.objects.get()
    assert schema.version == 1 and list(schema.techniques.all()) == [tech]
    assert schema.json_schema["$defs"]["Temperature"] and schema.source == ORSO_SOURCE
    page = curator_client.get(f"/admin/catalogue/metadataschema/{schema.pk}/change/")
    html = page.content.decode()
    assert "&quot;Temperature&quot;" in html and "Upload a new version" in html
    assert 'name="source"' not in html  # a stored version is read-only


@pytest.mark.django_db
def test_load_schema_command(tmp_path: Path):
    path = tmp_path / "orso.linkml.yaml"
    path.write_text(ORSO_SOURCE)
    out = io.StringIO()
    call_command("load_schema", str(path), "--technique", "PaNET01121", stdout=out)
    assert "orso v1 stored; applies to: reflectometry" in out.getvalue()
    bad = tmp_path / "bad.json"
    bad.write_text('{"minimum": "zero"}')
    with pytest.raises(CommandError, match="rule type"):
        call_command("load_schema", str(bad), stdout=io.StringIO())


@pytest.mark.django_db
def test_deposit_form_saves_an_invalid_draft_and_shows_advice(client, alice, orso_draft):
    client.force_login(alice)
    url = f"/datasets/{orso_draft.pid}/edit"
    page = client.get(url).content.decode()
    assert "Satisfies the domain schema orso-reflectivity v2." in page
    bad = {"sample": {"temperature": {"value": 5000, "unit": "K"}},
           "q_range": orso_draft.scientific_metadata["q_range"]}  # fmt: skip
    form = {"title": orso_draft.title, "license": "CC-BY-4.0", "publisher": "Facility",
            "publication_year": "2024", "creators-0-name": "Okafor, Amara",
            "techniques": [technique("neutron reflectometry").iri],
            "scimeta_json": json.dumps(bad)}  # fmt: skip
    saved = client.post(url, form, follow=True)
    assert saved.status_code == 200
    orso_draft.refresh_from_db()
    assert orso_draft.scientific_metadata == bad  # saved although invalid
    html = saved.content.decode()
    assert "does not satisfy orso-reflectivity v2 yet" in html
    assert (
        "<code>/sample/temperature/value</code>: 5000 is greater than the maximum of 1000" in html
    )


@pytest.mark.django_db
def test_form_rows_keep_lists_and_booleans_for_the_schema(client, alice, orso_draft):
    client.force_login(alice)
    from catalogue.curation.deposit import scimeta_from_rows, scimeta_rows

    rows = scimeta_rows(orso_draft.scientific_metadata)
    back = scimeta_from_rows([{k: str(v) for k, v in r.items()} for r in rows])
    assert back == orso_draft.scientific_metadata


@pytest.mark.django_db
def test_instrument_schema_and_no_schema_message():
    ds = DatasetFactory(instrument=InstrumentFactory(code="p11x"))
    item = {i.id: i for i in dataset_checklist(ds)}["domain_schema"]
    assert item.passed and item.message == "No domain-metadata schema applies."
    assert "errors" not in item.as_dict()


@pytest.mark.django_db
def test_admin_change_edits_what_a_version_applies_to_not_its_text(curator_client):
    schema, _ = metadata_schema_load(name="mx", kind="json-schema", source=MX_SOURCE,
                                     techniques=["PaNET01164"])  # fmt: skip
    inst = InstrumentFactory(code="p11")
    url = f"/admin/catalogue/metadataschema/{schema.pk}/change/"
    r = curator_client.post(
        url, {"title": "MX", "description": "", "instruments": [inst.pk], "source": "{}"}
    )  # fmt: skip  (not active; source ignored)
    assert r.status_code == 302, r.content.decode()[:2000]
    schema.refresh_from_db()
    assert not schema.active and schema.source == MX_SOURCE and schema.title == "MX"
    assert list(schema.instruments.all()) == [inst] and not schema.techniques.exists()
    add = curator_client.get(
        f"/admin/catalogue/metadataschema/add/?name=mx&kind=json-schema&instruments={inst.pk}"
    ).content.decode()
    assert 'value="mx"' in add
