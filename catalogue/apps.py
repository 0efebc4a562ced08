from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from catalogue.roles import ensure_curators_group

        # Permissions exist only after migrate has run, so the group is set up then.
        post_migrate.connect(ensure_curators_group, sender=self)
