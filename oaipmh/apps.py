from django.apps import AppConfig
from django.db.models.signals import pre_delete


def _dataset_deleting(sender, instance, **kwargs) -> None:
    from oaipmh.services import deleted_record_remember

    deleted_record_remember(dataset=instance)


class OaipmhConfig(AppConfig):
    name = "oaipmh"
    verbose_name = "OAI-PMH provider"

    def ready(self) -> None:
        # The one signal of the provider, and not a side effect: the deleted-record header
        # must be written in the same transaction as the delete, by every path that deletes
        # (admin, shell, cascades), while the dataset's technique links still exist. Django
        # sends pre_delete for every object before it deletes any of them.
        pre_delete.connect(
            _dataset_deleting, sender="catalogue.Dataset", dispatch_uid="oaipmh-deleted-record"
        )
