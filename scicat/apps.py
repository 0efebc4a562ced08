from django.apps import AppConfig


class ScicatConfig(AppConfig):
    """The SciCat-compatible API and the SciCat import: SciCat's wire format translated into
    the catalogue's own services (one writer, one gate); see scicat/mapping.py."""

    name = "scicat"
    verbose_name = "SciCat compatibility"
