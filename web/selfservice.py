"""ข้อมูลของฉัน (issue 13 item 6): an official's own signature, and "I will be away from … to …".

Thin: the checks live in ``memos.signature`` and ``memos.absence``; this parses the two forms and
shows the result. A viewflow ``Application`` at ``/me/`` (every logged-in official; the menu shows it).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application

from memos import absence, signature
from memos.errors import DomainError
from memos.models import Official


class SignatureForm(forms.Form):
    file = forms.FileField(label=_("ไฟล์ภาพลายมือชื่อ (PNG หรือ JPEG ไม่เกิน 1 MB)"), required=False)
    drawn = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("drawn"):
            raise forms.ValidationError(_("เลือกไฟล์ภาพ หรือวาดลายมือชื่อก่อนบันทึก"))
        return data


class AbsenceForm(forms.Form):
    start = forms.DateField(label=_("ไม่อยู่ตั้งแต่วันที่"), widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"required": _("ระบุวันที่เริ่ม"), "invalid": _("วันที่ไม่ถูกต้อง")})
    end = forms.DateField(label=_("ถึงวันที่"), widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"required": _("ระบุวันที่สิ้นสุด"), "invalid": _("วันที่ไม่ถูกต้อง")})
    note = forms.CharField(label=_("เหตุผล (ไม่บังคับ)"), required=False, max_length=100)


def _official(request) -> Official:
    official = getattr(request.user, "official", None)
    if official is None:
        raise Http404
    return official


def _context(request, official, sig_form=None, away_form=None) -> dict:
    day = timezone.localdate()
    post = official.position_on(day)
    deputy = None
    if post is not None and post.deputy_id:
        try:
            deputy = absence.deputy_for(post, official, day).official
        except DomainError:
            deputy = None
    return {
        "official": official,
        "post": post,
        "deputy": deputy,
        "signature": signature.signature_info(official),
        "sig_form": sig_form or SignatureForm(),
        "away_form": away_form or AbsenceForm(),
        "absences": list(absence.my_absences(official)[:10]),
        "today": day,
    }


@login_required
def me(request: HttpRequest) -> HttpResponse:
    official = _official(request)
    sig_form = away_form = None
    status = 200
    if request.method == "POST" and request.POST.get("action") == "signature":
        sig_form = SignatureForm(request.POST, request.FILES)
        if sig_form.is_valid():
            try:
                upload = sig_form.cleaned_data["file"]
                data = upload.read() if upload else signature.decode_data_url(sig_form.cleaned_data["drawn"])
                signature.set_signature(official, data)
            except DomainError as exc:
                sig_form.add_error("file", exc.message)
            else:
                messages.success(request, _("บันทึกลายมือชื่อแล้ว"))
                return redirect("me:index")
        status = 400
    elif request.method == "POST" and request.POST.get("action") == "absence":
        away_form = AbsenceForm(request.POST)
        if away_form.is_valid():
            d = away_form.cleaned_data
            try:
                made = absence.declare_absence(request.user, d["start"], d["end"], d["note"])
            except DomainError as exc:
                away_form.add_error(exc.field if exc.field in away_form.fields else None, exc.message)
            else:
                messages.success(request, _("บันทึกแล้ว: %(name)s รักษาราชการแทนในช่วงที่ท่านไม่อยู่") % {
                    "name": made.acting.full_name})
                return redirect("me:index")
        status = 400
    return render(request, "web/me/index.html", _context(request, official, sig_form, away_form), status=status)


@login_required
def my_signature(request: HttpRequest) -> FileResponse:
    """The user's own signature image (nobody else's: media files are not served publicly)."""
    official = _official(request)
    if not official.signature:
        raise Http404
    response = FileResponse(official.signature.open("rb"), content_type="image/png")
    response["Cache-Control"] = "private, no-cache"
    return response


class SelfServiceApp(Application):
    title = _("ข้อมูลของฉัน")
    icon = "badge"
    app_name = "me"
    menu_template_name = None
    base_template_name = "office/base_page.html"
    # no permission: anonymous visitors reach the views, which send them to the login page

    index_path = path("", me, name="index")
    signature_path = path("signature/", my_signature, name="signature")
