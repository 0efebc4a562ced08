# Index for OAI-PMH keyset paging on (record datestamp, pid); see catalogue.models.dataset.RECORD_CHANGED_AT.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('catalogue', '0002_load_panet'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='dataset',
            index=models.Index(models.Case(models.When(status='withdrawn', then=models.F('withdrawn_at'), withdrawn_at__isnull=False), default=models.F('updated_at'), output_field=models.DateTimeField()), models.F('pid'), name='dataset_record_changed'),
        ),
    ]
