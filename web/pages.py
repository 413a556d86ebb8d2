"""Browser pages, on viewflow's frontend (see ``site.py``). Thin: each parses a form, calls the
same service the API calls, and renders a Material page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views import View
from viewflow.views import ListModelView
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import drafting, review, text, uploads
from memos import search as memo_search
from memos.errors import DomainError, NotAllowed, NotFound
from memos.models import Memo
from workflow import reassignment, services

from .clerk import MemoSearchForm
from .forms import DecisionForm, MemoForm
from .pdf import pdf_response
from .templatetags.thai import thai_datetime


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "office/error.html", {"message": exc.message}, status=exc.status)


def _memo_context(memo) -> dict:
    return {
        "memo": memo,
        "decisions": memo.decisions.order_by("round", "step"),
        "history": memo.history.select_related("actor").order_by("id"),
        "steps": memo.steps.select_related("position"),
    }


class _OwnListView(ListModelView):
    """A viewflow list whose queryset is already cut down to what the user may see, so the
    model-permission check viewflow does for its admin-like lists does not apply. viewflow pages
    by 25."""

    def has_view_permission(self, user, obj=None) -> bool:
        return user.is_authenticated


class InboxView(_OwnListView):
    """My open review tasks, acting ones included: the home page."""

    model = Task
    title = _("งานที่รอท่านพิจารณา")
    columns = ("number", "subject", "drafter", "step", "created")
    object_link_columns = ("subject",)
    template_name = "office/inbox.html"

    @property
    def queryset(self):
        return services.open_tasks(self.request.user)

    def get_object_url(self, obj: Task) -> str:
        return reverse("task", args=[obj.pk])

    def number(self, task: Task) -> str:
        return services.task_memo(task).number_display

    number.short_description = _("ที่")

    def subject(self, task: Task) -> str:
        return services.task_memo(task).subject

    subject.short_description = _("เรื่อง")

    def drafter(self, task: Task) -> str:
        return str(services.task_memo(task).drafter)

    drafter.short_description = _("ผู้ร่าง")

    def step(self, task: Task) -> int | None:
        return services.task_memo(task).current_step

    step.short_description = _("ลำดับที่")

    def created(self, task: Task) -> str:
        return thai_datetime(task.created)

    created.short_description = _("ได้รับเมื่อ")


class MemoListView(_OwnListView):
    """Memos I drafted or reviewed (all memos for staff); search by subject."""

    model = Memo
    title = _("บันทึกข้อความ")
    columns = ("number", "subject", "state", "drafter_name", "updated")
    object_link_columns = ("subject",)
    # () keeps viewflow's search box (?_search=) but not its filter: memos.search reads the term
    # (number as printed, subject, body, comments) with the filters of web.clerk.MemoSearchForm
    search_fields = ()
    template_name = "office/memo_list.html"

    @property
    def queryset(self):
        # viewflow's mixins add the column ordering (?_orderby=) to this
        qs = services.visible_memos(self.request.user).select_related("agency", "drafter")
        qs = memo_search.search(qs, self.criteria)
        return qs.defer("sections", "announcement", "search_text").order_by("-id")

    @cached_property
    def search_form(self) -> MemoSearchForm:
        return MemoSearchForm(self.request.GET or None, user=self.request.user)

    @cached_property
    def criteria(self) -> memo_search.Criteria:
        return self.search_form.criteria(self.get_search_term())

    @property
    def empty_message(self) -> str:
        """"No match" after a search or a filter; "none yet" without one."""
        return memo_search.empty_message(self.criteria)

    def get_search_term(self) -> str | None:
        """The typed search, cleaned like any typed line (a NUL would make PostgreSQL refuse the
        query) and cut to a subject's length: no subject contains anything longer."""
        term = super().get_search_term()
        if term is None:
            return None
        return text.clean_line(term)[: drafting.max_length(Memo, "subject")]

    def get_object_url(self, obj: Memo) -> str:
        return reverse("memo-detail", args=[obj.pk])

    def number(self, memo: Memo) -> str:
        return memo.number_display

    number.short_description = _("ที่")
    number.orderby = "number"

    def state(self, memo: Memo) -> str:
        return memo.get_state_display()

    state.short_description = _("สถานะ")

    def drafter_name(self, memo: Memo) -> str:
        return str(memo.drafter)

    drafter_name.short_description = _("ผู้ร่าง")

    def updated(self, memo: Memo) -> str:
        return thai_datetime(memo.updated_at)

    updated.short_description = _("แก้ไขล่าสุด")
    updated.orderby = "updated_at"


def _memo_form(request: HttpRequest, memo: Memo | None = None) -> HttpResponse:
    """Draft (``memo`` None) or edit: the fields and one optional attachment, saved together."""
    initial = MemoForm.initial_for(memo) if memo else None
    form = MemoForm(request.POST or None, request.FILES or None, initial=initial)
    too_large = uploads.refused_for_size(request) if request.method == "POST" else None
    if too_large:  # the file (and what followed it) was not read: say so, save nothing
        form = MemoForm(request.POST, initial=initial)
        form.is_valid()
        form.add_error("attachment", too_large)
    elif request.method == "POST" and form.is_valid():
        try:
            saved = drafting.save_draft(
                request.user, form.to_data(), form.cleaned_data["attachment"], memo_id=memo.pk if memo else None,
                publish=form.cleaned_data["attachment_publish"],
            )
        except DomainError as exc:
            form.add_domain_error(exc)
        else:
            return redirect("memo-detail", memo_id=saved.pk)
    return render(request, "office/memo_form.html", {"form": form, "memo": memo})


@login_required
def memo_create(request):
    return _memo_form(request)


@login_required
def memo_edit(request, memo_id: int):
    try:
        memo = services.get_visible_memo(request.user, memo_id)
        drafting.check_editable(request.user, memo)  # a reviewer, or a memo in review, gets no form
    except DomainError as exc:
        return _error_page(request, exc)
    return _memo_form(request, memo)


@login_required
def memo_detail(request, memo_id: int):
    try:
        memo = services.get_visible_memo(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(request, "office/memo_detail.html", _memo_context(memo))


@login_required
def memo_submit(request, memo_id: int):
    if request.method != "POST":
        return redirect("memo-detail", memo_id=memo_id)
    try:
        memo = services.submit(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("ส่งแล้ว เลขที่ %(number)s") % {"number": memo.number_display})
    return redirect("memo-detail", memo_id=memo.pk)


@login_required
def memo_attachment(request, memo_id: int, attachment_id: int):
    """An attached file, for those who may see the memo. Files were checked as PDF, PNG or JPEG
    by their bytes when attached, so they are served as that type, inline."""
    try:
        attachment = services.get_attachment(request.user, memo_id, attachment_id)
    except DomainError as exc:
        return _error_page(request, exc)
    return FileResponse(attachment.file.open("rb"), content_type=attachment.content_type,
                        filename=attachment.name, as_attachment=False)


@login_required
def memo_pdf(request, memo_id: int):
    """The issued PDF, for those who may see the memo (drafter, reviewers, staff)."""
    try:
        doc = services.issued_pdf(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    return pdf_response(doc, f"memo-{memo_id}.pdf")


class TaskView(View):
    """The task page: the memo as it will read, its comment history, and the decision form.
    viewflow's own task links reach it through the flow node's redirect (workflow.flows.task_page)."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        task_id = kwargs.get("task_id") or kwargs.get("task_pk")
        try:
            self.task = services.get_task(request.user, task_id)
        except (NotAllowed, NotFound) as exc:
            moved = reassignment.moved_from(request.user, task_id)
            if moved is not None:  # it was theirs: say where it went, not an error
                status = 200 if request.method == "GET" else 409  # a form sent after it moved
                return render(request, "office/task.html", {"moved": moved}, status=status)
            return _error_page(request, exc)
        self.memo = services.task_memo(self.task)
        if request.method == "GET" and self.task.status != STATUS.ASSIGNED:
            # an old email link, or the back button after deciding: show the memo as it stands
            messages.info(request, _("งานนี้ดำเนินการแล้ว"))
            return redirect("memo-detail", memo_id=self.memo.pk)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        # the capacity the task was given in (kept with the task), else the same rule again
        given = (self.task.data or {}).get("capacity") or review.current_assignee(self.memo).capacity
        capacity = _("ในฐานะ %(capacity)s") % {"capacity": given}
        ctx = _memo_context(self.memo) | {"task": self.task, "form": form, "assignment": capacity}
        return render(self.request, "office/task.html", ctx, status=status)

    def get(self, request, *args, **kwargs):
        return self._render(DecisionForm())

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self._render(form, status=400)
        try:
            services.decide(
                request.user, self.task.pk, form.cleaned_data["decision"], form.cleaned_data["comment"]
            )
        except DomainError as exc:
            if exc.status in (403, 409):
                return _error_page(request, exc)
            form.add_error(None, exc.message)
            return self._render(form, status=400)
        messages.success(request, _("บันทึกการพิจารณาแล้ว"))
        return redirect("index")
