"""PaNET techniques from the ontology's source table (``catalogue/data/panet/PaNET.csv``).

The CSV is a ROBOT template: the first rows are headers, then one row per class with the IRI
in column 1, label, two alternative labels, definition, up to seven parents (``SC %``) and up
to three equivalent-class conjuncts (``EC %``), each a label, a ``PaNET:`` CURIE,
``owl:Thing`` or a Manchester expression. A class equivalent to an intersection is a subclass
of every named conjunct, so both kinds of column give broader techniques; expressions such as
``('definedbycharacteristic' some ...)`` are not classes and are skipped.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

PANET_CSV = Path(__file__).parent / "data" / "panet" / "PaNET.csv"
PANET_BASE = "http://purl.org/pan-science/PaNET/"


@dataclass(frozen=True)
class PanetClass:
    iri: str
    label: str
    synonyms: tuple[str, ...]
    definition: str
    parents: tuple[str, ...]  # IRIs


def read_panet(path: Path = PANET_CSV) -> list[PanetClass]:
    with open(path, encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.reader(handle) if len(r) > 8 and r[1].startswith(PANET_BASE)]
    by_label: dict[str, str] = {}
    for r in rows:
        by_label.setdefault(r[2].strip(), r[1].strip())

    def parent_iri(ref: str) -> str | None:
        ref = ref.strip()
        if not ref or ref == "owl:Thing":
            return None
        if ref.startswith("PaNET:"):
            return PANET_BASE + ref.removeprefix("PaNET:")
        if ref.startswith(PANET_BASE):
            return ref
        return by_label.get(ref)

    classes = []
    for r in rows:
        refs = r[8:15] + [x for x in r[15:18] if "(" not in x and " some " not in x]
        parents = tuple(dict.fromkeys(p for p in (parent_iri(x) for x in refs) if p))
        classes.append(
            PanetClass(
                iri=r[1].strip(),
                label=r[2].strip(),
                synonyms=tuple(s.strip() for s in r[3:5] if s.strip()),
                definition=r[5].strip(),
                parents=parents,
            )
        )
    return classes


def load_panet(technique_model, classes: list[PanetClass] | None = None) -> int:
    """Create or update every technique and its broader links; idempotent. Returns the count.

    Takes the model class so the data migration can pass its historical model.
    """
    classes = read_panet() if classes is None else classes
    existing = {t.iri: t for t in technique_model.objects.all()}
    for c in classes:
        t = existing.get(c.iri)
        if t is None:
            existing[c.iri] = technique_model.objects.create(
                iri=c.iri, label=c.label, synonyms=list(c.synonyms), definition=c.definition
            )
        elif (t.label, t.synonyms, t.definition) != (c.label, list(c.synonyms), c.definition):
            t.label, t.synonyms, t.definition = c.label, list(c.synonyms), c.definition
            t.save(update_fields=["label", "synonyms", "definition"])
    for c in classes:
        parents = [existing[p] for p in c.parents if p in existing and p != c.iri]
        existing[c.iri].broader.set(parents)
    return len(classes)
