"""The short code printed (with its QR) on every page of an issued document, for ``/verify/<code>/``."""

from __future__ import annotations

from django.db import models
from django.db.models.signals import pre_delete
from django.utils.translation import gettext_lazy as _

from .memo import AppendOnly, refuse_delete


class VerificationCode(AppendOnly):
    """One per issued document, written in the same transaction. Its own table (not a column on
    IssuedDocument) so the append-only triggers of that table stay as migration 0004 made them.
    Append-only like the document it names."""

    change_refusal = "รหัสตรวจสอบเอกสารแก้ไขไม่ได้"
    delete_refusal = "รหัสตรวจสอบเอกสารลบไม่ได้"

    code = models.CharField(_("รหัสตรวจสอบ"), max_length=20, unique=True)
    document = models.OneToOneField(
        "memos.IssuedDocument", on_delete=models.PROTECT, related_name="verification"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("รหัสตรวจสอบเอกสาร")
        verbose_name_plural = _("รหัสตรวจสอบเอกสาร")

    def __str__(self) -> str:
        return self.code


pre_delete.connect(refuse_delete, sender=VerificationCode)
