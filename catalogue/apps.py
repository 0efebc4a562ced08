from django.apps import AppConfig
from django.db.models.signals import post_migrate


class CatalogueConfig(AppConfig):
    name = "catalogue"
    verbose_name = "Catalogue"

    def ready(self) -> None:
        from catalogue.roles import ensure_curators_group
        from catalogue.search.signals import reindex_changed_datasets
        from catalogue.selectors import home_summary_forget
        from catalogue.signals import datasets_changed
        from catalogue.snapshot import snapshot_parts_forget

        # Permissions exist only after migrate has run, so the group is set up then.
        post_migrate.connect(ensure_curators_group, sender=self)
        # Search follows changes the way OAI-PMH does: it subscribes, nobody calls it.
        datasets_changed.connect(reindex_changed_datasets, dispatch_uid="search-reindex-changed")
        # The home page's cached public summary (counts, latest records) is recounted.
        datasets_changed.connect(home_summary_forget, dispatch_uid="home-summary-forget")
        # Record pages' cached public parts (agents, identifiers, context) of changed records.
        datasets_changed.connect(snapshot_parts_forget, dispatch_uid="snapshot-parts-forget")
