"""Per-page additions to the Content-Security-Policy (portal/settings/security.py).

The HDF5 viewer (H5Web) compiles array kernels at run time (ndarray's ``new Function``), which
CSP counts as eval. Only the pages that embed the viewer (dataset page, DOI landing page) allow
it; every other page keeps the strict script policy. Found by tests/portal/test_hardening_browser.
"""

import functools

from csp import middleware as csp_middleware
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_update
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponseBase

VIEWER_CSP = {"script-src": ["'unsafe-eval'"]}

viewer_page = csp_update(VIEWER_CSP)


# ------------------------------------------------------------- the policy, built once
_PER_RESPONSE = ("_csp_config", "_csp_update", "_csp_replace",
                 "_csp_config_ro", "_csp_update_ro", "_csp_replace_ro")  # fmt: skip


@functools.cache
def _plain_policy(report_only: bool) -> tuple[str, tuple[str, ...]]:
    """The policy of a response that changes nothing (no nonce, no per-view update), and the
    excluded path prefixes: the same for every such response, so built once per process."""
    name = "CONTENT_SECURITY_POLICY_REPORT_ONLY" if report_only else "CONTENT_SECURITY_POLICY"
    config = getattr(settings, name, None) or {}
    return build_policy(report_only=report_only), tuple(config.get("EXCLUDE_URL_PREFIXES") or ())


@receiver(setting_changed)
def _forget_policy(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _plain_policy.cache_clear()


class CSPMiddleware(csp_middleware.CSPMiddleware):
    """django-csp's middleware; the header of responses that use no nonce and no per-view
    policy is the one built once (:func:`_plain_policy`) instead of per response. JSON and
    HDF5 answers (the lean path) are all of that kind; pages with a nonce or the viewer's
    additions take django-csp's own way."""

    def process_response(self, request: HttpRequest, response: HttpResponseBase):
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in _PER_RESPONSE
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (500, 404):
            return response  # as django-csp: Django's debug pages
        for header, report_only, exempt in (
            (HEADER, False, "_csp_exempt"),
            (HEADER_REPORT_ONLY, True, "_csp_exempt_ro"),
        ):
            policy, excluded = _plain_policy(report_only)
            if (
                policy
                and header not in response
                and getattr(response, exempt, False) is False
                and not request.path_info.startswith(excluded)
            ):
                response[header] = policy
        # As django-csp: a nonce asked for after the header is written is an error.
        request.csp_nonce = csp_middleware.CheckableLazyObject(self._csp_nonce_post_response)
        return response
