"""The logged-in "API tokens" page: create (secret shown once), list, revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.models import ApiToken
from portal.tokens import api_token_create, api_token_revoke

EXPIRY_CHOICES = [
    ("30", _("30 days")),
    ("90", _("90 days")),
    ("365", _("1 year")),
    ("", _("never")),
]


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    context = {"expiry_choices": EXPIRY_CHOICES, "scopes": ApiToken.Scope.choices, "errors": []}
    if request.method == "POST":
        expires = request.POST.get("expires_days", "")
        try:
            expires_days = int(expires) if expires else None
            token, secret = api_token_create(
                owner=request.user,
                name=request.POST.get("name", ""),
                scope=request.POST.get("scope", ApiToken.Scope.READ),
                expires_days=expires_days,
            )
        except ValueError as exc:
            context["errors"].append(str(exc))
            context["form"] = request.POST
            status = 400
        else:
            context["new_token"] = token
            context["new_secret"] = secret
            status = 201
    else:
        status = 200
    context["tokens"] = ApiToken.objects.filter(owner=request.user)
    response = render(request, "portal/api_tokens.html", context, status=status)
    response["Cache-Control"] = "no-store"  # the page may hold a secret
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, token_id: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=token_id, owner=request.user)
    api_token_revoke(token=token, actor=request.user)
    messages.success(
        request,
        _("Token %(name)r (%(prefix)s…) is revoked.")
        % {"name": token.name, "prefix": token.prefix},
    )
    return redirect("portal:api-tokens")
