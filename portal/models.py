"""Models of the portal app: federated identities linked to portal users, and API tokens for
programs (beamline ingestors, scripts, clients)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 of the secret is stored; the secret is shown once.

    Tokens act as their owner, limited by their scope: ``read`` tokens read what the owner
    may read, ``write`` tokens may also change what the owner may change.
    """

    class Scope(models.TextChoices):
        READ = "read", _("read")
        WRITE = "write", _("read and write")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    # The first characters of the secret (not secret themselves), so people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…, {self.owner})"

    @property
    def scopes(self) -> list[str]:
        return ["read", "write"] if self.scope == self.Scope.WRITE else ["read"]

    @property
    def is_expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_active(self) -> bool:
        return not self.is_expired and not self.is_revoked


class IdempotencyKey(models.Model):
    """The first answer to a POST sent with ``Idempotency-Key``, per user and key.

    A retry with the same key, method, path and body gets this answer again instead of a twin
    (the IETF httpapi Idempotency-Key draft; Stripe's API behaves the same way).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)  # SHA-256 of method, path and body
    status_code = models.PositiveSmallIntegerField(default=0)  # 0: the first request is running
    body = models.JSONField(null=True, blank=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.user_id})"


class LanguagePreference(models.Model):
    """The page language a user last chose (or logged in with): e-mails to them use it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="language_preference"
    )
    # A code of LANGUAGES (checked on writing, portal.i18n); no choices here, so that adding a
    # language to the settings needs no migration.
    language = models.CharField(max_length=10)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.language}"
