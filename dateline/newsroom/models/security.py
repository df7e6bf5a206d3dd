"""The desk's own security rules, set by the chief editor on the desk."""

from django.contrib.auth.models import Group
from django.db import models


class TwoFactorRole(models.Model):
    """A role whose accounts must confirm each login with a code from an authenticator app."""

    group = models.OneToOneField(
        Group, on_delete=models.CASCADE, related_name="two_factor_rule", verbose_name="role",
        help_text="Accounts of this role without an authenticator are sent to set one up "
        "before they can use the desk.",
    )
    since = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "role that requires two-factor"
        verbose_name_plural = "roles that require two-factor"
        ordering = ["group__name"]

    def __str__(self) -> str:
        return self.group.name
