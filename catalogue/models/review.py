"""Reviewer links (issue 12 §4): a secret address that lets one person without an account read
one unpublished or embargoed dataset, e.g. a journal's referee, optionally without the names
of the people behind it (double-blind review).

Only a SHA-256 of the secret is stored (as for API tokens, portal.tokens); each use is logged
with a salted hash of the visitor (as COUNTER statistics do, stats.identity), never an address.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .dataset import Dataset

REVIEW_LINK_MAX_DAYS = 90


class ReviewLink(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="review_links")
    label = models.CharField(_("label"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Double-blind: creators, contributors, owner group, proposal PI and funding are hidden.
    anonymous = models.BooleanField(default=False)
    key_hash = models.CharField(max_length=64, unique=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    use_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("reviewer link")

    def __str__(self) -> str:
        return f"{self.label} ({self.dataset_id})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def is_active(self) -> bool:
        return not self.is_revoked and not self.is_expired


class ReviewLinkUse(models.Model):
    """One request served through a reviewer link."""

    class Kind(models.TextChoices):
        OPEN = "open", "opened the link"
        PAGE = "page", "record page"
        FILE = "file", "file download"
        ARCHIVE = "archive", "ZIP archive"
        MANIFEST = "manifest", "download manifest"
        PREVIEW = "preview", "HDF5 preview"
        EXPORT = "export", "metadata export"
        API = "api", "API"
        OTHER = "other", "other"

    link = models.ForeignKey(ReviewLink, on_delete=models.CASCADE, related_name="uses")
    at = models.DateTimeField(default=timezone.now)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # stats.identity.session_id of the visitor: daily-salted, so it links nothing after a day.
    visitor = models.CharField(max_length=56, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["link", "-at"], name="reviewlinkuse_link_at")]

    def __str__(self) -> str:
        return f"{self.link_id} {self.kind} {self.at:%Y-%m-%d %H:%M}"
