"""``/verify/``: public, no login, Thai first. Type the code printed on a document (or scan its
QR code, which opens ``/verify/<code>/``), or upload the PDF; the page says authentic / modified /
unknown and what the agency makes public about the document."""

from __future__ import annotations

import datetime as dt
import logging

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from memos.signing.stamp import normalise_code
from memos.verification import BadPdf, by_code, by_pdf

from .uploads import UploadRefused, declared_too_large, read_pdf, too_large

logger = logging.getLogger(__name__)


def _display(result) -> dict:
    """The result for the template: ISO dates as dates (the Thai date filters take those)."""
    doc = dict(result.details)
    if doc.get("date"):
        doc["date"] = dt.date.fromisoformat(doc["date"])
    doc["approvers"] = [dict(a, date=dt.date.fromisoformat(a["date"])) for a in doc.get("approvers", [])]
    v = result.verdict
    signing_time = dt.datetime.fromisoformat(v.signing_time) if v.signing_time else None
    return {"result": result, "v": v, "doc": doc, "signing_time": signing_time}


def _form(request: HttpRequest, error: str = "", code: str = "", status: int = 200) -> HttpResponse:
    return render(request, "web/verify.html", {"error": error, "code": code}, status=status)


@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        code = request.GET.get("code", "").strip()
        return redirect("verify-code", code=normalise_code(code)) if code else _form(request)
    if declared_too_large(request):
        return _form(request, too_large(), status=400)
    code = request.POST.get("code", "").strip()
    upload = request.FILES.get("file")
    if code and upload is None:
        return redirect("verify-code", code=normalise_code(code))
    try:
        data = read_pdf(request, upload)
        result = by_pdf(data)
    except UploadRefused as exc:
        return _form(request, str(exc), code, status=400)
    except BadPdf:
        return _form(request, _("เปิดไฟล์ PDF นี้ไม่ได้ (ไฟล์เสียหายหรือไม่ครบ)"), code, status=400)
    return render(request, "web/verify_result.html", {**_display(result), "uploaded": True})


def verify_code(request: HttpRequest, code: str) -> HttpResponse:
    result = by_code(code)
    if result is None:
        return _form(request, _("ไม่พบเอกสารที่มีรหัสตรวจสอบ %(code)s") % {"code": code}, code, status=404)
    return render(request, "web/verify_result.html", {**_display(result), "uploaded": False})
