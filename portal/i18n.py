"""English and German pages (README "Languages").

* :class:`PortalLocaleMiddleware` picks the page language from the language cookie (set by the
  header's switcher through Django's ``set_language``) or ``Accept-Language``, as Django's
  ``LocaleMiddleware`` does, but machine paths (API JSON, OAI-PMH, the SciCat and PaNOSC APIs,
  health and metrics) always run in ``LANGUAGE_CODE``: their messages, labels and DRF's own
  errors are part of a wire format, not of a page.
* :func:`set_language` is Django's view, plus remembering the choice of a logged-in user so that
  e-mails reach them in it (:func:`language_for_address`).
"""

import re

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

# Never translated: wire formats (API JSON, OAI-PMH, the SciCat and PaNOSC APIs, operations,
# the HDF5 preview, exports, linksets and manifests). File downloads are not listed: their
# 403/404 pages are for people.
MACHINE_PATH = re.compile(
    r"^/(?:api/|oai|scicat/|panosc/|healthz|readyz|metrics"
    r"|datasets/[0-9a-fA-F-]{36}/h5grove"
    r"|doi/.+/(?:export/[^/]+|linkset(?:\.json)?|manifest\.meta4|manifest\.aria2|urls\.txt"
    r"|[A-Z0-9]+SUMS)$)"
)


def is_machine_path(path: str) -> bool:
    return MACHINE_PATH.match(path) is not None


class PortalLocaleMiddleware(LocaleMiddleware):
    def process_request(self, request):
        if is_machine_path(request.path_info):
            translation.activate(settings.LANGUAGE_CODE)
            request.LANGUAGE_CODE = settings.LANGUAGE_CODE
            return None
        return super().process_request(request)

    def process_response(self, request, response):
        if is_machine_path(request.path_info):
            return response  # no Vary: Accept-Language, the answer does not depend on it
        return super().process_response(request, response)


def _supported(code: str | None) -> str | None:
    codes = {c for c, _name in settings.LANGUAGES}
    if not code:
        return None
    code = code.lower()
    return code if code in codes else (code.split("-")[0] if code.split("-")[0] in codes else None)


def remember_language(*, user, language: str) -> None:
    from portal.models import LanguagePreference

    language = _supported(language)
    if language and getattr(user, "is_authenticated", False):
        LanguagePreference.objects.update_or_create(user=user, defaults={"language": language})


@require_POST
def set_language(request):
    """Django's ``set_language`` (cookie, safe ``next``), remembered for a logged-in user."""
    response = django_set_language(request)
    remember_language(user=request.user, language=request.POST.get("language", ""))
    return response


@receiver(user_logged_in, dispatch_uid="portal.i18n.remember_login_language")
def _remember_login_language(sender, request, user, **kwargs):
    # The language the user logs in with is the best guess until they choose one.
    if request is None:
        return
    from portal.models import LanguagePreference

    if LanguagePreference.objects.filter(user=user).exists():
        return
    language = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    remember_language(user=user, language=language)


def language_for_user(user) -> str:
    from portal.models import LanguagePreference

    if user is None:
        return settings.LANGUAGE_CODE
    pref = LanguagePreference.objects.filter(user=user).values_list("language", flat=True).first()
    return _supported(pref) or settings.LANGUAGE_CODE


def language_for_address(address: str) -> str:
    """The language of the account with this e-mail address, else ``LANGUAGE_CODE``."""
    from portal.models import LanguagePreference

    users = get_user_model().objects.filter(email__iexact=address, is_active=True)
    pref = (
        LanguagePreference.objects.filter(user__in=users)
        .order_by("-updated_at")
        .values_list("language", flat=True)
        .first()
    )
    return _supported(pref) or settings.LANGUAGE_CODE
