"""manage.py load_schema PATH [--name N] [--technique PaNET...] [--instrument CODE]: store a
domain-metadata schema (JSON Schema 2020-12 ``.json`` or LinkML ``.yaml``) as the next active
version of its name, through the one writer (catalogue.services.schemas)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalogue.services.errors import DatasetInputError
from catalogue.services.schemas import metadata_schema_load


class Command(BaseCommand):
    help = (
        "Store a domain-metadata schema (JSON Schema 2020-12 or LinkML YAML) as the next "
        "active version of its name; LinkML is converted into JSON Schema now, once."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .json (JSON Schema) or .yaml/.yml (LinkML) file.")
        parser.add_argument("--name", help="Schema name (default: the file name's stem).")
        parser.add_argument("--kind", choices=["json-schema", "linkml"],
                            help="Default: from the file's extension.")  # fmt: skip
        parser.add_argument("--title", default="")
        parser.add_argument("--technique", action="append", default=[],
                            help="PaNET id, IRI or label; repeat for several.")  # fmt: skip
        parser.add_argument("--instrument", action="append", default=[],
                            help="Instrument code; repeat for several.")  # fmt: skip
        parser.add_argument("--if-changed", action="store_true",
                            help="No new version if the active one has this text.")  # fmt: skip

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        suffix = path.suffix.lower()
        kind = options["kind"] or ("linkml" if suffix in (".yaml", ".yml") else "json-schema")
        name = options["name"] or path.name.split(".")[0]
        try:
            schema, stored = metadata_schema_load(
                name=name, kind=kind, source=path.read_text(encoding="utf-8"),
                title=options["title"], techniques=options["technique"],
                instruments=options["instrument"], if_changed=options["if_changed"],
            )  # fmt: skip
        except DatasetInputError as exc:
            raise CommandError(exc.message) from None
        applies = [t.label for t in schema.techniques.all()]
        applies += [i.code for i in schema.instruments.all()]
        what = "stored" if stored else "unchanged (same text as the active version)"
        self.stdout.write(
            self.style.SUCCESS(
                f"{schema} {what}; applies to: {', '.join(applies) or 'nothing yet'}"
            )
        )
