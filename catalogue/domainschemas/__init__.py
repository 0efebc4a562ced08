"""Domain-metadata schemas: what a dataset's scientific metadata must satisfy, per PaNET
technique or per instrument (issue 12 §5; the DESY sisyphos path).

* A facility uploads a **JSON Schema** (draft 2020-12) or a **LinkML YAML** schema
  (:class:`catalogue.models.MetadataSchema`, managed in the admin or with
  ``manage.py load_schema``). LinkML is converted into JSON Schema **once, at upload**, by the
  linkml project's own generator (``linkml.generators.jsonschemagen.JsonSchemaGenerator``); the
  generated schema is stored beside the source and never regenerated per request.
* Every schema is validated, and validates, as draft 2020-12 (``jsonschema``'s
  ``Draft202012Validator``, with format checking).
* **What the schema sees**: the scientific metadata as stored, quantities as
  ``{"value": ..., "unit": "..."}`` objects (so a schema can require a unit from an enum and
  give ranges per unit with ``if``/``then``). The SciCat short form ``{"v": ..., "u": ...}`` is
  shown to the schema as ``{"value", "unit"}`` too, so one schema covers both shapes; error
  pointers still name the stored keys (``/exposure_time/v``).
* **Which schemas apply**: the active version of every schema naming the dataset's instrument,
  or one of its techniques **or a broader technique** (PaNET's hierarchy, as search does: a
  schema for "crystallography" applies to "macromolecular crystallography").
* **Errors** name the JSON pointer of the bad value and the rule:
  ``/sample/temperature/value: 5000 is greater than the maximum of 1000 (schema
  orso-reflectivity v2, rule maximum)``. They are one blocking checklist item
  (``domain_schema``), advice beside the scientific metadata in the deposit form (drafts may be
  saved invalid), and a 400 keyed ``scientific_metadata/<pointer>`` when submitting.

:mod:`.validation` holds the pure functions (no database), :mod:`.selectors` the reads;
the writer is :mod:`catalogue.services.schemas`.
"""
