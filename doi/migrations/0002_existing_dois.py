"""DOIs minted before registration existed keep their names; they wait for ``doi_sync``."""

from django.db import migrations


def forwards(apps, schema_editor):
    Dataset = apps.get_model("catalogue", "Dataset")
    DoiRegistration = apps.get_model("doi", "DoiRegistration")
    existing = set(DoiRegistration.objects.values_list("doi", flat=True))
    DoiRegistration.objects.bulk_create(
        [
            DoiRegistration(dataset_id=pk, doi=doi.lower(), pending=True)
            for pk, doi in Dataset.objects.exclude(doi=None).values_list("pk", "doi")
            if doi.lower() not in existing
        ],
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [("doi", "0001_doiregistration"), ("catalogue", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
