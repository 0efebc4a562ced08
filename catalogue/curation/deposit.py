"""The deposit form: create and edit a draft on the site.

The form posts flat fields and numbered rows (``creators-0-name`` …); :func:`form_to_data`
turns them into the one writer's input (the shape ``GET /api/v1/datasets/<pid>`` answers) and
the view calls ``dataset_create`` / ``dataset_update`` and the file services, nothing else.
Errors come back keyed by JSON path (``creators[1].orcid``) and are shown beside the field.
"""

import json
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from catalogue.models import Dataset

ROW_FIELDS = {
    "creators": ["name", "orcid", "affiliation", "affiliation_ror"],
    "contributors": ["name", "orcid", "affiliation", "affiliation_ror", "contributor_type"],
    "related_identifiers": ["identifier", "identifier_type", "relation_type"],
    "funding_references": ["funder_name", "funder_identifier", "award_number", "award_title"],
    "scimeta": ["key", "value", "unit"],
}
BLANK_ROWS = 2
MAX_ROWS = 200


class FormError(ValueError):
    """Input the form itself cannot read (bad JSON import); keyed like the writer's errors."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()))
        self.errors = errors


# Selects always post a value: a row with nothing typed into its text fields is a blank row.
CHOICE_FIELDS = {"contributor_type", "identifier_type", "relation_type"}


def posted_rows(post, prefix: str, names: list[str] | None = None,
                choices: set[str] = CHOICE_FIELDS) -> list[dict]:  # fmt: skip
    """The numbered rows ``<prefix>-<i>-<name>`` of a POST, blank rows left out. The deposit
    form and the admin's row widgets (catalogue.curation.widgets) read rows with this."""
    names = names or ROW_FIELDS[prefix]
    rows = []
    for i in range(MAX_ROWS):
        keys = [f"{prefix}-{i}-{name}" for name in names]
        if not any(k in post for k in keys):
            break
        row = {name: (post.get(f"{prefix}-{i}-{name}") or "").strip() for name in names}
        if any(v for k, v in row.items() if k not in choices):
            rows.append(row)
    return rows


def keywords_from_text(text: str) -> list[str]:
    """Keywords typed as tags: separated by commas or new lines, blanks and repeats dropped."""
    keywords = [k.strip() for k in re.split(r"[,\n]", text or "") if k.strip()]
    return list(dict.fromkeys(keywords))


def scimeta_from_json(text: str) -> dict:
    """Scientific metadata pasted as JSON (the import box); must be an object."""
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as exc:
        message = _("Not JSON: %(problem)s (line %(line)s).") % {
            "problem": exc.msg,
            "line": exc.lineno,
        }
        raise FormError({"scientific_metadata": [message]}) from None
    if not isinstance(tree, dict):
        raise FormError({"scientific_metadata": [_("The JSON import must be an object.")]})
    return tree


def _agent(row: dict) -> dict:
    out = {"name": row["name"], "orcid": row["orcid"] or "", "affiliation": None}
    if row["affiliation"] or row["affiliation_ror"]:
        out["affiliation"] = {"name": row["affiliation"], "ror": row["affiliation_ror"]}
    if "contributor_type" in row:
        out["contributor_type"] = row["contributor_type"] or "Other"
    return out


def _number(text: str):
    """A row's value: a number, true/false, a JSON list as shown by :func:`scimeta_rows`, or
    the text (so a record's values survive the form, and schemas see their types)."""
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        pass
    if text in ("true", "false"):
        return text == "true"
    if text.startswith("[") and text.endswith("]"):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            pass
    return text


def scimeta_from_rows(rows: list[dict]) -> dict:
    """Rows of (key, value, unit); a dotted key ``sample.temperature`` nests."""
    tree: dict = {}
    for row in rows:
        parts = [p for p in row["key"].split(".") if p]
        if not parts:
            continue
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            value = _number(row["value"])
            node[parts[-1]] = {"value": value, "unit": row["unit"]} if row["unit"] else value
    return tree


def scimeta_rows(tree: dict, prefix: str = "") -> list[dict]:
    """The reverse, to show a record's scientific metadata as rows."""
    rows = []
    for key, value in (tree or {}).items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and set(value) <= {"value", "unit"} and "value" in value:
            rows.append({"key": name, "value": value["value"], "unit": value.get("unit", "")})
        elif isinstance(value, dict):
            rows.extend(scimeta_rows(value, prefix=f"{name}."))
        else:
            rows.append({"key": name, "value": json.dumps(value)
                         if isinstance(value, list | bool) else value, "unit": ""})  # fmt: skip
    return rows


def form_to_data(post) -> dict:
    """The writer's input from the posted form."""
    data = {
        "title": post.get("title", "").strip(),
        "description": post.get("description", "").strip(),
        "keywords": keywords_from_text(post.get("keywords", "")),
        "license": post.get("license") or None,
        "publisher": post.get("publisher", "").strip(),
        "publication_year": int(y) if (y := post.get("publication_year", "").strip()).isdigit()
        else None,
        "resource_type": {"general": post.get("resource_type_general") or "Dataset",
                          "type": post.get("resource_type", "").strip()},
        "version": post.get("version", "").strip(),
        "dates": {"collection_start": post.get("collection_start") or None,
                  "collection_end": post.get("collection_end") or None,
                  "embargo_until": post.get("embargo_until") or None},
        "creators": [_agent(r) for r in posted_rows(post, "creators")],
        "contributors": [_agent(r) for r in posted_rows(post, "contributors")],
        "related_identifiers": [
            {**r, "identifier_type": r["identifier_type"] or "DOI",
             "relation_type": r["relation_type"] or "IsSupplementTo"}
            for r in posted_rows(post, "related_identifiers")
        ],
        "funding_references": posted_rows(post, "funding_references"),
        "facility": post.get("facility") or None,
        "instrument": post.get("instrument") or None,
        "beamtime": post.get("beamtime", "").strip() or None,
        "techniques": post.getlist("techniques"),
        "sample": {"name": post.get("sample_name", "").strip(),
                   "description": post.get("sample_description", "").strip()},
        "storage_folder": post.get("storage_folder", "").strip(),
    }  # fmt: skip
    if "owner_group" in post:
        data["owner_group"] = post.get("owner_group") or None
    imported = post.get("scimeta_json", "").strip()
    if imported:
        data["scientific_metadata"] = scimeta_from_json(imported)
    else:
        data["scientific_metadata"] = scimeta_from_rows(posted_rows(post, "scimeta"))
    return data


@dataclass
class FormState:
    """What templates/curation/deposit.html shows: values and errors per field and row."""

    values: dict
    rows: dict[str, list[dict]]
    errors: dict[str, list[str]] = field(default_factory=dict)

    def row_errors(self, prefix: str, index: int) -> dict[str, str]:
        out = {}
        for path, messages in self.errors.items():
            m = re.match(rf"^{prefix}\[{index}\](?:\.(\w+))?", path)
            if m:
                out[m.group(1) or "__row__"] = " ".join(messages)
        return out


def _with_blanks(rows: list[dict], prefix: str) -> list[dict]:
    blank = dict.fromkeys(ROW_FIELDS[prefix], "")
    return rows + [dict(blank) for _ in range(BLANK_ROWS)]


def state_from_dataset(ds: Dataset | None) -> FormState:
    if ds is None:
        values = {"license": "CC-BY-4.0", "resource_type_general": "Dataset",
                  "resource_type": "raw", "techniques": []}  # fmt: skip
        rows = {p: _with_blanks([], p) for p in ROW_FIELDS}
        return FormState(values=values, rows=rows)
    agents = lambda qs, extra=(): [  # noqa: E731
        {"name": a.name, "orcid": a.orcid, "affiliation": a.affiliation,
         "affiliation_ror": a.affiliation_ror, **{k: getattr(a, k) for k in extra}}
        for a in qs
    ]  # fmt: skip
    values = {
        "title": ds.title, "description": ds.description, "keywords": ", ".join(ds.keywords),
        "license": ds.license, "publisher": ds.publisher,
        "publication_year": ds.publication_year or "", "version": ds.version,
        "resource_type_general": ds.resource_type_general, "resource_type": ds.resource_type,
        "collection_start": ds.collection_start.strftime("%Y-%m-%dT%H:%M")
        if ds.collection_start else "",
        "collection_end": ds.collection_end.strftime("%Y-%m-%dT%H:%M")
        if ds.collection_end else "",
        "embargo_until": ds.embargo_until.isoformat() if ds.embargo_until else "",
        "facility": ds.facility.code if ds.facility_id else "",
        "instrument": ds.instrument.code if ds.instrument_id else "",
        "beamtime": ds.beamtime.beamtime_id if ds.beamtime_id else "",
        "techniques": [t.iri for t in ds.techniques.all()],
        "sample_name": ds.sample_name, "sample_description": ds.sample_description,
        "storage_folder": ds.storage_folder,
        "owner_group": ds.owner_group.name if ds.owner_group_id else "",
    }  # fmt: skip
    rows = {
        "creators": agents(ds.creators.all()),
        "contributors": agents(ds.contributors.all(), ("contributor_type",)),
        "related_identifiers": [
            {"identifier": r.identifier, "identifier_type": r.identifier_type,
             "relation_type": r.relation_type} for r in ds.related_identifiers.all()
        ],
        "funding_references": [
            {"funder_name": f.funder_name, "funder_identifier": f.funder_identifier,
             "award_number": f.award_number, "award_title": f.award_title}
            for f in ds.funding_references.all()
        ],
        "scimeta": scimeta_rows(ds.scientific_metadata),
    }  # fmt: skip
    return FormState(values=values, rows={p: _with_blanks(r, p) for p, r in rows.items()})


def state_from_post(post, errors: dict[str, list[str]]) -> FormState:
    values = {k: post.get(k, "") for k in post}
    values["techniques"] = post.getlist("techniques")
    rows = {p: _with_blanks(posted_rows(post, p), p) for p in ROW_FIELDS}
    return FormState(values=values, rows=rows, errors=errors)
