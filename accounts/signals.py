"""A user's API tokens die with a password change or a deactivation.

Sessions need nothing of ours: Django drops a session whose password hash no longer matches, and
the model backend refuses an inactive user.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models.signals import post_save
from django.dispatch import receiver

from .authentication import revoke_all


@receiver(post_save, sender=get_user_model(), dispatch_uid="accounts.revoke_tokens")
def revoke_tokens(sender, instance, **kwargs) -> None:
    """``_password`` is set by ``set_password`` until the save (every way Django changes a password:
    forms, admin, ``changepassword``), and not by the silent hash upgrade at login, which is no change
    of password. An inactive user keeps no token, whatever else changed."""
    if getattr(instance, "_password", None) is not None or not instance.is_active:
        revoke_all(instance)
