"""The signing certificate's expiry, said before it bites: a system check (``manage.py check``,
the server's start) and a banner on the admin pages, SIGNING_EXPIRY_WARNING_DAYS ahead (30)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core import checks
from django.utils.translation import gettext as _


def expiry_warning(now: dt.datetime | None = None) -> str:
    """A Thai warning when the agency certificate expires within the warning period, else ""."""
    from memos.signing.keys import SigningError, agency_credentials

    try:
        creds = agency_credentials()
    except SigningError as exc:
        return _("ตั้งค่าใบรับรองสำหรับลงนามเอกสารไม่ถูกต้อง: %(error)s") % {"error": exc}
    now = now or dt.datetime.now(dt.UTC)
    left = creds.not_after - now
    if left <= dt.timedelta(0):
        return _("ใบรับรองสำหรับลงนามเอกสารหมดอายุแล้วเมื่อ %(date)s ออกเอกสารไม่ได้จนกว่าจะเปลี่ยนใบรับรอง") % {
            "date": f"{creds.not_after:%Y-%m-%d}"}
    if left <= dt.timedelta(days=settings.SIGNING_EXPIRY_WARNING_DAYS):
        return (
            _("ใบรับรองสำหรับลงนามเอกสารจะหมดอายุในอีก %(days)s วัน (%(date)s) "
              "กรุณาขอใบรับรองใหม่และตั้งค่า SIGNING_PKCS12_PATH หรือ SIGNING_PKCS11_*")
            % {"days": left.days, "date": f"{creds.not_after:%Y-%m-%d}"}
        )
    return ""


@checks.register(checks.Tags.security, deploy=False)
def signing_certificate_expiry(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    message = expiry_warning()
    out = [checks.Warning(message, id="signing.W001")] if message else []
    from memos.signing.keys import SigningError, agency_credentials

    try:
        roots = agency_credentials().trust_roots
    except SigningError:
        roots = [None]  # already said above
    if not roots:
        out.append(checks.Warning(
            "no trust root for verification: every document would verify as unknown",
            hint="set SIGNING_TRUST_ROOTS to the CA's root certificate (PEM)", id="signing.W002",
        ))
    return out


def admin_context(request) -> dict:
    """Template context for the admin pages (context processor): the expiry banner for staff."""
    if not request.path.startswith("/admin/") or not getattr(request.user, "is_staff", False):
        return {}
    return {"signing_expiry_warning": expiry_warning()}
