"""Browser pages. Thin: each parses a form, calls the same service the API calls, and renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from memos import drafting
from memos.errors import DomainError, NotAllowed, NotFound

from . import services
from .forms import DecisionForm, MemoForm, format_sections
from .pdf import pdf_response


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "error.html", {"message": exc.message}, status=exc.status)


def _memo_context(memo) -> dict:
    return {
        "memo": memo,
        "decisions": memo.decisions.order_by("round", "step"),
        "history": memo.history.select_related("actor").order_by("id"),
        "steps": memo.steps.select_related("position"),
    }


@login_required
def inbox(request):
    return render(request, "inbox.html", {"tasks": services.open_tasks(request.user)})


@login_required
def memo_list(request):
    memos = services.visible_memos(request.user).select_related("drafter").order_by("-id")[:100]
    return render(request, "memo_list.html", {"memos": memos})


@login_required
def memo_create(request):
    form = MemoForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            memo = drafting.create_memo(request.user, form.to_data())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("memo-detail", memo_id=memo.pk)
    return render(request, "memo_form.html", {"form": form})


@login_required
def memo_edit(request, memo_id: int):
    try:
        memo = services.get_visible_memo(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    initial = {
        "subject": memo.subject,
        "addressee": memo.addressee,
        "body": format_sections(memo.sections),
        "closing": memo.closing,
    }
    form = MemoForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            drafting.update_memo(request.user, memo.pk, form.to_data())
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return redirect("memo-detail", memo_id=memo.pk)
    return render(request, "memo_form.html", {"form": form, "memo": memo})


@login_required
def memo_detail(request, memo_id: int):
    try:
        memo = services.get_visible_memo(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    return render(request, "memo_detail.html", _memo_context(memo))


@login_required
def memo_submit(request, memo_id: int):
    if request.method != "POST":
        return redirect("memo-detail", memo_id=memo_id)
    try:
        memo = services.submit(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, f"ส่งแล้ว เลขที่ {memo.number_display}")
    return redirect("memo-detail", memo_id=memo.pk)


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
    Also the view of the flow's ``review`` node, so viewflow's own task links land here."""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect(f"/accounts/login/?next={request.path}")
        task_id = kwargs.get("task_id") or kwargs.get("task_pk")
        try:
            self.task = services.get_task(request.user, task_id)
        except (NotAllowed, NotFound) as exc:
            return _error_page(request, exc)
        self.memo = services.task_memo(self.task)
        return super().dispatch(request, *args, **kwargs)

    def _render(self, form, status=200):
        ctx = _memo_context(self.memo) | {"task": self.task, "form": form}
        return render(self.request, "task.html", ctx, status=status)

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
        messages.success(request, "บันทึกการพิจารณาแล้ว")
        return redirect("inbox")
