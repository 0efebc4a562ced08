"""Accounts' own records: the federated identities linked to a portal user."""

from django.conf import settings
from django.db import models


class FederatedIdentity(models.Model):
    """One account at an OpenID Connect provider, linked to one portal user.

    Users are matched on (issuer, ``sub``) only, never on e-mail (OpenID Connect Core 1.0 §5.7:
    ``sub`` is the only claim that is stable and unique per issuer; an e-mail address can be
    re-assigned or claimed at another provider).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="federated_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField("subject (sub)", max_length=255)
    # The portal groups the provider's claims granted at the last log-in: only these are
    # removed when a claim disappears, so memberships granted in the portal stay.
    provider_groups = models.JSONField(default=list, blank=True)
    email = models.CharField(max_length=254, blank=True, help_text="As the provider last sent it.")
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="federated_identity_unique")
        ]
        ordering = ["issuer", "subject"]
        verbose_name_plural = "federated identities"

    def __str__(self) -> str:
        return f"{self.subject} @ {self.issuer}"
