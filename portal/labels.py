"""Field labels a facility may rename, per language (as SciCat's labelsLocalization).

``PORTAL_LABELS`` (JSON) maps a key below to labels per language code, e.g.
``{"proposal": {"en": "Beamtime application", "de": "Strahlzeitantrag"}}``. A key or a
language not configured falls back to the portal's own (translated) label. Templates read
``{{ labels.proposal }}`` (context processor :func:`portal.context_processors.labels`).
"""

from django.conf import settings
from django.core import checks
from django.utils import translation
from django.utils.translation import gettext_lazy as _

DEFAULT_LABELS = {
    "facility": _("Facility"),
    "instrument": _("Instrument"),
    "technique": _("Technique"),
    "techniques": _("Techniques"),
    "proposal": _("Proposal"),
    "beamtime": _("Beamtime"),
    "sample": _("Sample"),
    "sample_description": _("Sample description"),
    "principal_investigator": _("PI"),
}


def field_label(key: str, language: str | None = None) -> str:
    """The label of ``key`` in ``language`` (default: the active one)."""
    language = language or translation.get_language() or settings.LANGUAGE_CODE
    configured = getattr(settings, "PORTAL_LABELS", {}).get(key) or {}
    for code in (language, language.split("-")[0]):
        if configured.get(code):
            return configured[code]
    if key in DEFAULT_LABELS:
        with translation.override(language):
            return str(DEFAULT_LABELS[key])
    return configured.get(settings.LANGUAGE_CODE) or key


class Labels:
    """``labels.<key>`` in templates: the active language's label of each field."""

    def __getitem__(self, key: str) -> str:
        if key not in DEFAULT_LABELS and key not in getattr(settings, "PORTAL_LABELS", {}):
            raise KeyError(key)
        return field_label(key)

    def __contains__(self, key: str) -> bool:
        return key in DEFAULT_LABELS or key in getattr(settings, "PORTAL_LABELS", {})


@checks.register()
def check_portal_labels(app_configs=None, **kwargs):
    """PORTAL_LABELS must be {key: {language: label}} with known keys and languages."""
    value = getattr(settings, "PORTAL_LABELS", {})
    languages = {code for code, _name in settings.LANGUAGES}
    errors = []
    if not isinstance(value, dict):
        return [checks.Error("PORTAL_LABELS must be a JSON object.", id="portal.E101")]
    for key, per_language in value.items():
        if key not in DEFAULT_LABELS:
            errors.append(
                checks.Error(
                    f"PORTAL_LABELS: unknown field {key!r}; one of {', '.join(DEFAULT_LABELS)}.",
                    id="portal.E102",
                )
            )
        if not isinstance(per_language, dict) or not all(
            isinstance(v, str) and v.strip() for v in per_language.values()
        ):
            errors.append(
                checks.Error(
                    f"PORTAL_LABELS[{key!r}] must map language codes to non-empty labels.",
                    id="portal.E103",
                )
            )
        elif unknown := sorted(set(per_language) - languages):
            errors.append(
                checks.Error(
                    f"PORTAL_LABELS[{key!r}]: languages {unknown} are not in LANGUAGES.",
                    id="portal.E104",
                )
            )
    return errors
