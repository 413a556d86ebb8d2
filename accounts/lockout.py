"""django-axes hooks: what a locked-out client sees, and which address is the client's."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.forms import LoginForm

LOCKOUT_STATUS = 429


def lockout_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _("เข้าสู่ระบบผิดหลายครั้งเกินไป ระบบระงับการเข้าสู่ระบบชั่วคราว โปรดลองใหม่ในอีก %(minutes)d นาที หรือติดต่อผู้ดูแลระบบให้ปลดล็อก") % {
        "minutes": minutes
    }


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """429 everywhere: JSON ``{"message": …}`` for the API, the login page with the message otherwise
    (the site's login page and the admin's alike)."""
    message = lockout_message()
    if request.path.startswith("/api/"):
        return JsonResponse({"message": message}, status=LOCKOUT_STATUS)
    context = {"form": LoginForm(request), "locked_out": message, "next": request.POST.get("next", "")}
    return render(request, "registration/login.html", context, status=LOCKOUT_STATUS)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address for the per-address lockout.

    ``REMOTE_ADDR`` unless ``REVERSE_PROXY_COUNT`` proxies stand in front of the server; then the
    address the outermost of them saw, counted from the right of ``X-Forwarded-For`` (each proxy
    appends the address it received from, so entries further left are the client's to forge).
    """
    count = settings.REVERSE_PROXY_COUNT
    if count > 0:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")
