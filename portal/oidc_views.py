"""The federated log-in's pages: start, callback (with clear refusals), and provider log-out.

Mounted under ``/oidc/`` always; without ``PORTAL_OIDC_RP_CLIENT_ID`` they answer 404.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import requests
from django.conf import settings
from django.contrib import auth
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import View
from mozilla_django_oidc.utils import absolutify
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from portal.oidc import PortalOIDCBackend

logger = logging.getLogger(__name__)

BACKEND_PATH = "portal.oidc.PortalOIDCBackend"


def _require_oidc() -> None:
    if not getattr(settings, "OIDC_ENABLED", False):
        raise Http404("Federated log-in is not configured.")


def _refuse(request: HttpRequest, *, reason: str, status: int = 400) -> HttpResponse:
    """The one page every failed federated log-in ends on; it names the problem, not secrets."""
    return render(
        request,
        "account/oidc_failed.html",
        {"reason": reason, "provider_name": getattr(settings, "OIDC_PROVIDER_NAME", "")},
        status=status,
    )


class AuthenticateView(OIDCAuthenticationRequestView):
    """Redirect to the provider with state, nonce and a PKCE (S256) challenge."""

    def __init__(self, *args, **kwargs):
        View.__init__(self, *args, **kwargs)

    def get(self, request):
        _require_oidc()
        self.OIDC_OP_AUTH_ENDPOINT = settings.OIDC_OP_AUTHORIZATION_ENDPOINT
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """The provider's redirect back. Every refusal is a page saying why, never a 500, never a
    new account; failures are not counted by django-axes (they name no local user, and
    counting them per address would let anyone lock out a site's federated log-in)."""

    def get(self, request):
        _require_oidc()
        if request.GET.get("error"):
            states = request.session.get("oidc_states") or {}
            if request.GET.get("state") in states:
                del states[request.GET["state"]]
                request.session.save()
            return _refuse(
                request,
                reason=_("The identity provider refused the log-in (%(error)s).")
                % {"error": request.GET["error"][:80]},
            )
        state, code = request.GET.get("state"), request.GET.get("code")
        if not state or not code:
            return _refuse(request, reason=_("The identity provider's answer is incomplete."))
        states = request.session.get("oidc_states") or {}
        if state not in states:
            # Forged, replayed (each state is used once) or from an expired session.
            return _refuse(
                request,
                reason=_(
                    "This log-in link is not valid any more (it was used already, or it "
                    "was not started here). Please start again."
                ),
            )
        entry = states.pop(state)
        request.session["oidc_states"] = states
        request.session.save()
        request.session = request.session.__class__(request.session.session_key)
        backend = PortalOIDCBackend()
        try:
            user = backend.authenticate(
                request, nonce=entry.get("nonce"), code_verifier=entry.get("code_verifier")
            )
        except SuspiciousOperation as exc:
            logger.warning("OIDC log-in refused: %s", exc)
            return _refuse(
                request, reason=_("The log-in could not be verified: %(error)s") % {"error": exc}
            )
        except requests.HTTPError as exc:
            status = exc.response.status_code if exc.response is not None else None
            logger.warning("OIDC provider answered %s", status)
            if status is not None and 400 <= status < 500:
                return _refuse(
                    request, reason=_("The identity provider did not accept the log-in.")
                )
            return _refuse(
                request, reason=_("The identity provider is not answering properly."), status=502
            )
        except requests.RequestException as exc:
            logger.warning("OIDC provider unreachable: %s", exc)
            return _refuse(
                request,
                reason=_("The identity provider cannot be reached. Please try again later."),
                status=502,
            )
        if user is None or not user.is_active:
            return _refuse(request, reason=_("This account may not log in here."), status=403)
        user.backend = BACKEND_PATH
        self.user = user
        return self.login_success()


def failed(request: HttpRequest) -> HttpResponse:
    _require_oidc()
    return _refuse(request, reason=_("The federated log-in did not complete."))


def provider_logout_url(request: HttpRequest) -> str | None:
    """The provider's end-session URL (RP-Initiated Logout 1.0 §2) with id_token_hint, or None
    when there is no provider session to end (local log-in, or no end-session endpoint)."""
    endpoint = getattr(settings, "OIDC_OP_LOGOUT_ENDPOINT", "")
    id_token = request.session.get("oidc_id_token")
    if not endpoint or not id_token:
        return None
    params = {
        "id_token_hint": id_token,
        "post_logout_redirect_uri": absolutify(request, reverse("catalogue:home")),
        "client_id": settings.OIDC_RP_CLIENT_ID,
    }
    return f"{endpoint}?{urlencode(params)}"


def logout_and_end_provider_session(request: HttpRequest) -> str | None:
    """Log out here; returns where to send the browser to end the provider's session too."""
    url = provider_logout_url(request)
    auth.logout(request)
    return url
