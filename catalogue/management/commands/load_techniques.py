"""manage.py load_techniques: (re)load PaNET from catalogue/data/panet/PaNET.csv."""

from django.core.management.base import BaseCommand

from catalogue.models import Technique
from catalogue.panet import load_panet


class Command(BaseCommand):
    help = "Create or update the PaNET techniques from the bundled PaNET.csv (idempotent)."

    def handle(self, *args, **options):
        count = load_panet(Technique)
        self.stdout.write(self.style.SUCCESS(f"{count} PaNET techniques loaded."))
