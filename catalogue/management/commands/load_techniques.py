"""manage.py load_techniques: (re)load PaNET from catalogue/data/panet/PaNET.csv."""

from django.core.management.base import BaseCommand

from catalogue.models import Technique
from catalogue.panet import load_panet
from catalogue.services.context import context_record_changed


class Command(BaseCommand):
    help = "Create or update the PaNET techniques from the bundled PaNET.csv (idempotent)."

    def handle(self, *args, **options):
        before = dict(Technique.objects.values_list("iri", "label"))
        count = load_panet(Technique)
        renamed = [t for t in Technique.objects.all() if before.get(t.iri, t.label) != t.label]
        records = sum(context_record_changed(obj=t) for t in renamed)
        self.stdout.write(
            self.style.SUCCESS(
                f"{count} PaNET techniques loaded; {len(renamed)} relabelled, "
                f"{records} dataset records updated."
            )
        )
