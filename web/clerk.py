"""The clerk's pages (สารบรรณ, issue 13 item 4): memos in progress across the agency, and the
outgoing register book (ทะเบียนหนังสือส่ง) with its XLSX, CSV and PDF exports.

A viewflow ``Application`` whose permission is the role (``memos.clerk.is_clerk``): viewflow's
middleware answers 403 to anyone else and the site menu leaves it out. Thin: the rows come from
``memos.register_export.book_rows`` and ``progress_rows`` below reads the open tasks of one page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import wraps

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import F
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext_lazy as _
from viewflow.urls import Application
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import register_export, search
from memos.clerk import clerk_agencies, is_clerk, register_memos
from memos.models import Memo, MemoState, MemoStep, Official, Unit
from workflow import services

PER_PAGE = 25
BOOK_PER_PAGE = 100
IN_PROGRESS = (MemoState.IN_REVIEW, MemoState.RETURNED, MemoState.APPROVED)
BUDDHIST_ERA = register_export.BUDDHIST_ERA


class ProgressFilter(forms.Form):
    """The clerk's filters; a bad value is dropped with a Thai error shown above the list."""

    state = forms.ChoiceField(label=_("สถานะ"), required=False, choices=[("", _("ระหว่างดำเนินการทั้งหมด"))])
    unit = forms.TypedChoiceField(label=_("ส่วนราชการ"), required=False, coerce=int, empty_value=None)
    date_from = forms.DateField(label=_("ลงวันที่ตั้งแต่"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("ถึงวันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, units=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["state"].choices = [("", _("ระหว่างดำเนินการทั้งหมด"))] + [
            (s.value, s.label) for s in MemoState if s != MemoState.DRAFT
        ]
        self.fields["unit"].choices = [("", _("ทุกส่วนราชการ"))] + [(u.pk, u.name) for u in units]

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("วันที่สิ้นสุดต้องไม่ก่อนวันที่เริ่ม"))
        return data


@dataclass
class ProgressRow:
    memo: Memo
    step: str  # the post the memo waits on
    assignee: str  # who holds the task (capacity when acting)
    since: dt.datetime | None
    due: dt.datetime | None
    overdue: bool

    @property
    def waiting_days(self) -> int | None:
        return (timezone.now() - self.since).days if self.since else None


def _due(task: Task | None) -> dt.datetime | None:
    """``task.data["due"]`` (written by the deadlines rule) as an aware datetime, if present."""
    raw = ((task.data or {}) if task else {}).get("due")
    if not raw or not isinstance(raw, str):
        return None
    moment = parse_datetime(raw)
    if moment is None:
        day = parse_date(raw)
        if day is None:
            return None
        moment = dt.datetime.combine(day, dt.time(23, 59, 59))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def progress_rows(memos: list[Memo]) -> list[ProgressRow]:
    """Where each memo is: two queries for the whole page (open tasks, current steps)."""
    ids = [m.pk for m in memos]
    tasks: dict[int, Task] = {}
    for t in (
        Task.objects.filter(process__memoprocess__memo_id__in=ids, status__in=(STATUS.NEW, STATUS.ASSIGNED))
        .select_related("owner__official", "process__memoprocess")
        .order_by("id")
    ):
        tasks[t.process.memoprocess.memo_id] = t
    steps = {
        s.memo_id: s
        for s in MemoStep.objects.filter(memo_id__in=ids, order=F("memo__current_step")).select_related("position")
    }
    now = timezone.now()
    rows = []
    for m in memos:
        task = tasks.get(m.pk)
        step = steps.get(m.pk)
        if m.state == MemoState.IN_REVIEW and task is not None:
            owner = getattr(task.owner, "official", None) if task.owner_id else None
            capacity = (task.data or {}).get("capacity", "") if (task.data or {}).get("acting") else ""
            who = (owner.full_name if owner else "") + (f" ({capacity})" if capacity else "")
            due = _due(task)
            rows.append(ProgressRow(m, step.position.title if step else "", who, task.created, due,
                                    bool(due and due < now)))
        elif m.state == MemoState.RETURNED:
            rows.append(ProgressRow(m, str(_("ผู้ร่างแก้ไข")), m.drafter.full_name, m.updated_at, None, False))
        elif m.state == MemoState.APPROVED:
            rows.append(ProgressRow(m, str(_("ออกเอกสาร")), str(_("ระบบ")), m.updated_at, None, False))
        else:
            rows.append(ProgressRow(m, "", "", None, None, False))
    return rows


def _units(user) -> list[Unit]:
    agencies = clerk_agencies(user)
    qs = Unit.objects.order_by("agency_id", "id")
    return list(qs if agencies is None else qs.filter(agency_id__in=agencies))


def clerk_required(view):
    """Logged in (else the login page), and the สารบรรณ role (else 403)."""

    @wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not is_clerk(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@clerk_required
def progress(request: HttpRequest) -> HttpResponse:
    units = _units(request.user)
    form = ProgressFilter(request.GET or None, units=units)
    data = form.cleaned_data if form.is_valid() else {}
    qs = services.visible_memos(request.user).filter(number__isnull=False)
    state = data.get("state") or ""
    qs = qs.filter(state=state) if state else qs.filter(state__in=IN_PROGRESS)
    criteria = search.Criteria(date_from=data.get("date_from"), date_to=data.get("date_to"), unit=data.get("unit"))
    qs = search.search(qs, criteria).select_related("agency", "unit", "drafter").defer(
        "sections", "announcement", "search_text"
    ).order_by("date", "number", "id")
    page = Paginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    rows = progress_rows(list(page.object_list))
    filtered = bool(state or not criteria.is_empty)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "web/clerk/progress.html", {
        "form": form, "page": page, "rows": rows, "query": query.urlencode(),
        "empty_message": _(search.NO_MATCH) if filtered else _("ไม่มีบันทึกข้อความระหว่างดำเนินการ"),
        "register_year": timezone.localdate().year + BUDDHIST_ERA,
    })


def _year_be(year: int) -> int:
    if year < 2400:  # a Christian-era year typed into the address: the book is named by พ.ศ.
        raise Http404
    return year


def _book(request: HttpRequest, year_be: int) -> list[dict]:
    return register_export.book_rows(year_be, memos=register_memos(request.user))


def _agency_name(request) -> str:
    agencies = clerk_agencies(request.user)
    if agencies and len(agencies) == 1:
        from memos.models import Agency

        return Agency.objects.filter(pk=agencies[0]).values_list("name", flat=True).first() or ""
    return ""


@clerk_required
def register(request: HttpRequest, year: int) -> HttpResponse:
    """The book of one พ.ศ. year, 100 lines a page, newest page last (a book reads in order)."""
    year_be = _year_be(year)
    qs = register_export.book_queryset(year_be, memos=register_memos(request.user))
    page = Paginator(qs, BOOK_PER_PAGE).get_page(request.GET.get("page"))
    rows = register_export.rows_of(page.object_list)
    this_year = timezone.localdate().year + BUDDHIST_ERA
    return render(request, "web/clerk/register.html", {
        "year_be": year_be, "page": page, "rows": rows,
        "years": [y for y in range(this_year, this_year - 5, -1)],
        "agency_name": _agency_name(request),
    })


@clerk_required
def register_current(request: HttpRequest) -> HttpResponse:
    return redirect("clerk:register", year=timezone.localdate().year + BUDDHIST_ERA)


EXPORTS = {
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "csv": ("text/csv; charset=utf-8", "csv"),
    "pdf": ("application/pdf", "pdf"),
}


@clerk_required
def register_export_view(request: HttpRequest, year: int, fmt: str) -> HttpResponse:
    year_be = _year_be(year)
    if fmt not in EXPORTS:
        raise Http404
    rows = _book(request, year_be)
    name = _agency_name(request)
    if fmt == "xlsx":
        body = register_export.to_xlsx(rows, year_be, name)
    elif fmt == "csv":
        body = register_export.to_csv(rows)
    else:
        body = register_export.to_pdf(rows, year_be, name)
    content_type, ext = EXPORTS[fmt]
    response = HttpResponse(body, content_type=content_type)
    disposition = "inline" if fmt == "pdf" else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="register-{year_be}.{ext}"'
    return response


class ClerkApp(Application):
    """Only for the สารบรรณ role (and staff)."""

    title = _("สารบรรณกลาง")
    icon = "menu_book"
    app_name = "clerk"
    # anonymous visitors pass here so the views send them to the login page (viewflow's middleware
    # would answer 403); logged-in officials without the role get 403 and no menu entry
    permission = staticmethod(lambda user: not user.is_authenticated or is_clerk(user))
    menu_template_name = "web/clerk/menu.html"
    base_template_name = "office/base_page.html"

    index_path = path("", progress, name="index")
    register_current_path = path("register/", register_current, name="register-current")
    register_path = path("register/<int:year>/", register, name="register")
    export_path = path("register/<int:year>/<str:fmt>/", register_export_view, name="register-export")



class MemoSearchForm(forms.Form):
    """The memo list's filters beside its search box (``?_search=``, viewflow's): number as printed,
    words of the subject, body or comments (``memos.search``)."""

    date_from = forms.DateField(label=_("ลงวันที่ตั้งแต่"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("ถึงวันที่"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    drafter = forms.TypedChoiceField(label=_("ผู้ร่าง"), required=False, coerce=int, empty_value=None)
    unit = forms.TypedChoiceField(label=_("ส่วนราชการ"), required=False, coerce=int, empty_value=None)
    state = forms.ChoiceField(label=_("สถานะ"), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        official = getattr(user, "official", None)
        agencies = clerk_agencies(user) if user is not None else []
        if agencies is None or (user is not None and user.is_staff):
            units, drafters = Unit.objects.all(), Official.objects.all()
        else:
            day = timezone.localdate()
            mine = list(
                Unit.objects.filter(positions__holdings__official=official, positions__holdings__start__lte=day)
                .values_list("agency_id", flat=True).distinct()
            ) if official is not None else []
            units = Unit.objects.filter(agency_id__in=set(mine) | set(agencies or []))
            drafters = Official.objects.filter(holdings__position__agency_id__in=set(mine) | set(agencies or [])).distinct()
        self.fields["unit"].choices = [("", _("ทุกส่วนราชการ"))] + [(u.pk, u.name) for u in units.order_by("id")]
        self.fields["drafter"].choices = [("", _("ทุกคน"))] + [
            (o.pk, o.full_name) for o in drafters.order_by("first_name", "last_name")
        ]
        self.fields["state"].choices = [("", _("ทุกสถานะ"))] + list(MemoState.choices)

    def criteria(self, q: str | None) -> search.Criteria:
        data = self.cleaned_data if self.is_valid() else {}
        return search.Criteria(
            q=q or "", date_from=data.get("date_from"), date_to=data.get("date_to"),
            drafter=data.get("drafter"), unit=data.get("unit"), state=data.get("state") or "",
        )
