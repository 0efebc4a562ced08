"""Load the PaNET technique ontology (catalogue/data/panet/PaNET.csv) into Technique."""

from django.db import migrations


def load(apps, schema_editor):
    from catalogue.panet import load_panet

    load_panet(apps.get_model("catalogue", "Technique"))


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
