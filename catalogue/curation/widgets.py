"""Widgets for the record's JSON fields in the admin: tags, table rows, key/value/unit rows.

Each widget renders structured inputs and hands the form field the JSON text it would have
taken from a text area, so the field stays Django's validated ``JSONField`` and the model's
validators and the one writer (catalogue.services.datasets) judge it as before. Every widget
degrades to JSON: text posted under the field's own name, or in its "Edit as JSON" box, wins
over the rows (scripts, and values the rows cannot show, such as lists in scientific metadata).
The parsing is the deposit form's (catalogue.curation.deposit), not a second copy.
"""

import json
from dataclasses import dataclass

from django import forms
from django.utils.translation import gettext_lazy as _

from catalogue.curation.deposit import (
    BLANK_ROWS,
    keywords_from_text,
    posted_rows,
    scimeta_from_rows,
    scimeta_rows,
)


def _parsed(value):
    """The widget's value as data: the JSONField form field prepares it as JSON text; a
    rejected POST gives back the text as typed (then None: it is shown as JSON to fix)."""
    if isinstance(value, str):
        try:
            return json.loads(value) if value.strip() else None
        except json.JSONDecodeError:
            return None
    return value


def _json_text(value) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)


def _posted_json(data, name: str) -> str | None:
    for key in (f"{name}-json", name):
        text = (data.get(key) or "").strip()
        if text:
            return text
    return None


class TagsWidget(forms.TextInput):
    """A JSON list of strings typed as comma-separated tags (chips drawn by deposit.js)."""

    template_name = "catalogue/widgets/tags.html"

    def format_value(self, value):
        items = _parsed(value)
        if isinstance(items, list) and all(isinstance(k, str) for k in items):
            return ", ".join(items)
        return value if isinstance(value, str) else ""

    def value_from_datadict(self, data, files, name):
        text = data.get(name)
        if text is None:
            return None
        if text.strip().startswith("["):
            return text  # JSON as such: the field parses and validates it
        return json.dumps(keywords_from_text(text))


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    choices: tuple[str, ...] = ()
    placeholder: str = ""


class RowsWidget(forms.Widget):
    """A JSON list of objects as table rows, one column per key; emptying a row removes it."""

    template_name = "catalogue/widgets/json_rows.html"

    def __init__(self, columns: list[Column], attrs=None):
        super().__init__(attrs)
        self.columns = columns

    def _cells(self, name: str, index: int, item: dict) -> list[dict]:
        return [
            {"name": f"{name}-{index}-{c.key}", "column": c, "value": str(item.get(c.key, ""))}
            for c in self.columns
        ]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        items = _parsed(value)
        keys = {c.key for c in self.columns}
        showable = isinstance(items, list) and all(
            isinstance(i, dict) and set(i) <= keys and all(isinstance(v, str) for v in i.values())
            for i in items
        )
        rows = list(items) if showable else []
        rows += [{}] * BLANK_ROWS
        context["widget"].update(
            columns=self.columns,
            rows=[self._cells(name, i, item) for i, item in enumerate(rows)],
            # Values the rows cannot show (or a rejected text) are edited as JSON instead.
            json_text="" if showable or value in (None, "") else _json_text(value),
        )
        return context

    def value_from_datadict(self, data, files, name):
        text = _posted_json(data, name)
        if text is not None:
            return text
        choices = {c.key for c in self.columns if c.choices}
        rows = posted_rows(data, name, [c.key for c in self.columns], choices=choices)
        return json.dumps([{k: v for k, v in row.items() if v} for row in rows])

    def value_omitted_from_data(self, data, files, name):
        return False  # no rows posted is an empty list, not "leave unchanged"


class ScientificMetadataWidget(forms.Widget):
    """Key / value / unit rows; a dotted key (``sample.temperature``) nests. Lists and other
    values the rows cannot hold are edited in the JSON box (validated by the JSON field)."""

    template_name = "catalogue/widgets/scimeta.html"
    columns = [Column("key", _("Key"), placeholder="sample.temperature"),
               Column("value", _("Value"), placeholder="300"),
               Column("unit", _("Unit"), placeholder="K")]  # fmt: skip

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        tree = _parsed(value)
        rows = scimeta_rows(tree) if isinstance(tree, dict) else []
        # Rows show it only when reading them back gives the same tree.
        showable = (
            isinstance(tree, dict)
            and scimeta_from_rows([{k: str(v) for k, v in r.items()} for r in rows]) == tree
        )
        if not showable:
            rows = []
        rows += [{}] * BLANK_ROWS
        context["widget"].update(
            columns=self.columns,
            rows=[
                [
                    {"name": f"{name}-{i}-{c.key}", "column": c, "value": str(row.get(c.key, ""))}
                    for c in self.columns
                ]
                for i, row in enumerate(rows)
            ],
            json_text="" if showable or value in (None, "") else _json_text(value),
        )
        return context

    def value_from_datadict(self, data, files, name):
        text = _posted_json(data, name)
        if text is not None:
            return text
        rows = posted_rows(data, name, ["key", "value", "unit"], choices=set())
        return json.dumps(scimeta_from_rows(rows))

    def value_omitted_from_data(self, data, files, name):
        return False


def dataset_json_widgets() -> dict[str, forms.Widget]:
    """The widget of each JSON field of Dataset in the admin's change form."""
    from catalogue import vocabularies as voc

    lang = Column("lang", _("Language"), placeholder="en")
    return {
        "keywords": TagsWidget(),
        "additional_titles": RowsWidget([
            Column("title", _("Title")),
            Column("titleType", _("Type"), tuple(voc.TITLE_TYPES)), lang,
        ]),
        "additional_descriptions": RowsWidget([
            Column("description", _("Description")),
            Column("descriptionType", _("Type"), tuple(voc.DESCRIPTION_TYPES)), lang,
        ]),
        "subjects": RowsWidget([
            Column("subject", _("Subject")),
            Column("subjectScheme", _("Scheme"), placeholder="PaNET"),
            Column("schemeUri", _("Scheme URI"), placeholder="https://"),
            Column("valueUri", _("Value URI"), placeholder="https://"),
        ]),
        "dates": RowsWidget([
            Column("date", _("Date"), placeholder="2024-05-01 or 2024-05-01/2024-05-03"),
            Column("dateType", _("Type"), tuple(voc.DATE_TYPES)),
            Column("dateInformation", _("Information")),
        ]),
        "scientific_metadata": ScientificMetadataWidget(),
    }  # fmt: skip
