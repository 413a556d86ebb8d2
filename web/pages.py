"""Browser pages, on viewflow's frontend (see ``site.py``). Thin: each parses a form, calls the
same service the API calls, and renders a Material page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import InvalidPage, Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext_lazy as _
from django.views import View
from viewflow.views import ListModelView
from viewflow.workflow.status import STATUS

from memos import (
    deadlines,
    drafting,
    listing,
    phrases,
    readers,
    revisions,
    selectors,
    text,
    tracking,
    uploads,
)
from memos import search as memo_search
from memos.errors import DomainError, NotAllowed, NotFound
from memos.models import Memo, MemoState
from workflow import reassignment, services
from workflow import selectors as task_selectors

from .clerk import MemoSearchForm
from .forms import DecisionForm, MemoForm
from .paging import PageWithoutCount
from .pdf import pdf_response
from .templatetags.office import counts_for
from .templatetags.thai import memo_number, thai_datetime_short, thai_digits


def classes_badges(memo: Memo, overdue: bool | None = None) -> str:
    """office/_classes.html for a list cell (urgency, secrecy, overdue)."""
    late = bool(getattr(memo, "overdue", False)) if overdue is None else overdue
    return render_to_string("office/_classes.html", {"memo": memo, "overdue": late})


def _error_page(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "office/error.html", {"message": exc.message}, status=exc.status)


def _memo_context(memo, seen_by_step: int | None = None) -> dict:
    """The memo, its decisions, route as steps, history, and what changed since the round the
    reviewer of ``seen_by_step`` last decided (else the round before this one). Read once each,
    whatever the memo's history."""
    submitted = memo.round > 0  # a draft never sent has no decisions and no route of its own yet
    decisions = list(memo.decisions.order_by("round", "step")) if submitted else []
    seen_round = max((d.round for d in decisions if d.step == seen_by_step and d.superseded), default=None)
    steps = list(memo.steps.select_related("position")) if submitted else []
    return {
        "memo": memo,
        "decisions": decisions,
        "history": memo.history.select_related("actor__official").order_by("id"),
        "steps": steps,
        "route": tracking.route_status(memo, steps, decisions),
        "changes": revisions.changes(memo, since=seen_round),
    }


def _list_columns(qs: QuerySet[Memo]) -> QuerySet[Memo]:
    """What a row of the memo list prints: the header, not the body."""
    return deadlines.with_overdue(qs.select_related("agency", "drafter").defer("sections", "announcement", "search_text"))


class _OwnListView(ListModelView):
    """A viewflow list whose queryset is already cut down to what the user may see, so the
    model-permission check viewflow does for its admin-like lists does not apply. viewflow pages
    by 25."""

    def has_view_permission(self, user, obj=None) -> bool:
        return user.is_authenticated


class InboxView(View):
    """The home page, "my work": tasks waiting for me (acting ones marked), my returned memos with
    the reviewer's reason, my drafts, my memos in review with where they are, recently issued.
    The same queries with 1 memo or 100,000 (each list is cut in the database)."""

    tasks_per_page = 25

    def get(self, request: HttpRequest) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        official = getattr(request.user, "official", None)
        counts = counts_for(request)
        paginator = Paginator(task_selectors.OpenTaskRows(request.user), self.tasks_per_page)
        paginator.__dict__["count"] = counts.tasks  # counted once for the menu and the page
        tasks = paginator.get_page(request.GET.get("page"))
        ctx = {"counts": counts, "tasks": tasks, "official": official}
        if official is not None:
            ongoing = selectors.in_review(official) if counts.in_review else []
            where = task_selectors.whereabouts(ongoing)
            ctx |= {
                "returned": selectors.returned(official) if counts.returned else [],
                "drafts": selectors.drafts(official) if counts.drafts else [],
                "in_review": [(m, where[m.pk]) for m in ongoing],
                "issued": selectors.recently_issued(official),
            }
        return render(request, "office/home.html", ctx)


class MemoListView(_OwnListView):
    """Memos I drafted or reviewed (all memos for staff); search by subject."""

    model = Memo
    title = _("บันทึกข้อความ")
    columns = ("number", "subject_text", "classes", "state", "drafter_name", "updated")
    object_link_columns = ("subject_text",)
    # () keeps viewflow's search box (?_search=) but not its filter: memos.search reads the term
    # (number as printed, subject, body, comments) with the filters of web.clerk.MemoSearchForm
    search_fields = ()
    template_name = "office/memo_list.html"

    @cached_property
    def queryset(self):
        # viewflow's mixins add the column ordering (?_orderby=) to this; it reads it six times
        qs = services.visible_memos(self.request.user)
        return _list_columns(memo_search.search(qs, self.criteria)).order_by("-id")

    def paginate_queryset(self, queryset, page_size):
        """Newest first, a page at a time, no count (``memos.listing``); a column ordering
        (``?_orderby=``) pages viewflow's ordered queryset, still without a count."""
        rows = queryset if self.ordering_kwarg in self.request.GET else listing.VisibleMemos(
            self.request.user, self.criteria, _list_columns)
        paginator = PageWithoutCount(rows, page_size)
        try:
            page = paginator.page(self.request.GET.get(self.page_kwarg) or 1)
        except InvalidPage:
            raise Http404(_("ไม่มีหน้านี้")) from None
        return paginator, page, page.object_list, page.has_other_pages()

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
        return memo_number(memo)

    number.short_description = _("ที่")
    number.orderby = "number"

    def classes(self, memo: Memo) -> str:
        return classes_badges(memo)

    classes.short_description = _("ชั้น")

    def subject_text(self, memo: Memo) -> str:
        return thai_digits(memo.subject)  # as the memo and the card print it

    subject_text.short_description = _("เรื่อง")
    subject_text.orderby = "subject"

    def state(self, memo: Memo) -> str:
        return memo.get_state_display()

    state.short_description = _("สถานะ")

    def drafter_name(self, memo: Memo) -> str:
        return str(memo.drafter)

    drafter_name.short_description = _("ผู้ร่าง")

    def updated(self, memo: Memo) -> str:
        return thai_datetime_short(memo.updated_at)

    updated.short_description = _("แก้ไขล่าสุด")
    updated.orderby = "updated_at"


def _returned_by(memo: Memo | None):
    """The reviewer's return of a returned memo (reason, who, when), for the top of its edit page."""
    if memo is None or memo.state != MemoState.RETURNED:
        return None
    return memo.decisions.filter(decision="return").order_by("-round", "-id").first()


def _kept_files(request: HttpRequest, form: MemoForm, too_large: str | None) -> tuple[list[str], list[str]]:
    """The files this save brings, as tokens of files kept server-side (``uploads.keep_pending``):
    those kept from an earlier try (less any the drafter took off) and those chosen now, each
    checked by the domain's rule. Returns (tokens, one message per refused file)."""
    user_id = request.user.pk
    dropped = set(request.POST.getlist("pending_drop"))
    tokens = [t for t in request.POST.getlist("pending") if t not in dropped and uploads.pending_name(t, user_id)]
    for t in dropped:
        uploads.forget_pending(t, user_id)
    errors: list[str] = []
    if too_large:
        return tokens, [too_large]
    for upload in request.FILES.getlist("attachment"):
        try:
            _type, data = uploads.checked(upload)
        except DomainError as exc:
            errors.append(_("%(name)s: %(message)s") % {"name": upload.name, "message": exc.message})
        else:
            tokens.append(uploads.keep_pending(user_id, upload.name, data))
    if len(tokens) > uploads.MAX_FILES_PER_SAVE:
        errors.append(_("แนบได้ครั้งละไม่เกิน %(n)s ไฟล์") % {"n": uploads.MAX_FILES_PER_SAVE})
    return tokens, errors


def _consultation_choices(user, memo: Memo | None):
    """The consultants' picker for the memo's drafter (a new memo: the user in her post today);
    None when there is no drafter's post, or no memo type lets her add (no picker)."""
    official = getattr(user, "official", None)
    position = memo.drafter_position if memo else (official.position_on(timezone.localdate()) if official else None)
    return drafting.consultation_choices(position, memo) if position is not None else None


def _memo_form(request: HttpRequest, memo: Memo | None = None) -> HttpResponse:
    """Draft (``memo`` None) or edit: the fields and any new attachments, saved together. A file
    chosen with a form that has another error is kept server-side and shown by name; the drafter
    does not choose it again."""
    initial = MemoForm.initial_for(memo) if memo else None
    consultation = _consultation_choices(request.user, memo)
    tokens: list[str] = []
    if request.method != "POST":
        form = MemoForm(initial=initial, consultation=consultation)
    else:
        too_large = uploads.refused_for_size(request)  # the file (and what followed it) was not read
        form = MemoForm(request.POST, None if too_large else request.FILES, initial=initial,
                        consultation=consultation)
        form.is_valid()
        tokens, file_errors = _kept_files(request, form, too_large)
        for message in file_errors:
            form.add_error("attachment", message)
        if form.is_valid():
            files = [f for f in (uploads.take_pending(t, request.user.pk) for t in tokens) if f is not None]
            try:
                saved = drafting.save_draft(
                    request.user, form.to_data(), files, memo_id=memo.pk if memo else None,
                    publish=form.cleaned_data["attachment_publish"],
                )
            except DomainError as exc:
                form.add_domain_error(exc)
            else:
                for t in tokens:
                    uploads.forget_pending(t, request.user.pk)
                return redirect("memo-detail", memo_id=saved.pk)
    pending = [(t, uploads.pending_name(t, request.user.pk)) for t in tokens]
    ctx = {"form": form, "memo": memo, "pending": pending, "returned_by": _returned_by(memo),
           "attachments": list(memo.attachments.all()) if memo else []}
    return render(request, "office/memo_form.html", ctx)


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


def _post_only(view):
    """A change made by a button (a form POST); a GET (a typed or old link) shows the memo."""

    def wrapper(request, memo_id: int, *args, **kwargs):
        if request.method != "POST":
            return redirect("memo-detail", memo_id=memo_id)
        return view(request, memo_id, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return login_required(wrapper)


@_post_only
def memo_delete(request, memo_id: int):
    """Delete an unnumbered draft (the drafter only); a numbered memo is never deleted."""
    try:
        memo = services.get_visible_memo(request.user, memo_id)
        drafting.delete_draft(request.user, memo.pk)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("ลบร่าง “%(subject)s” แล้ว") % {"subject": memo.subject})
    return redirect("memo-list")


@_post_only
def memo_copy(request, memo_id: int):
    """A new draft from a memo the user may see (attachments are not copied)."""
    try:
        memo = services.get_visible_memo(request.user, memo_id)
        copy = drafting.copy_memo(request.user, memo)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("คัดลอกเป็นร่างใหม่แล้ว แก้ไขแล้วส่งเสนอได้"))
    return redirect("memo-edit", memo_id=copy.pk)


@_post_only
def memo_attachment_delete(request, memo_id: int, attachment_id: int):
    """Take a file off a draft or a returned memo; back to its edit page."""
    try:
        services.get_visible_memo(request.user, memo_id)
        drafting.remove_attachment(request.user, memo_id, attachment_id)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("นำไฟล์แนบออกแล้ว"))
    return redirect("memo-detail" if request.POST.get("next") == "detail" else "memo-edit", memo_id=memo_id)


@login_required
def memo_detail(request, memo_id: int):
    try:
        memo = services.get_visible_memo(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    reading = _reader_context(request.user, memo)
    if reading["my_reading"] is not None and reading["my_reading"].read_at is None:
        readers.mark_read(request.user, memo)  # a told reader's first visit (no write for anyone else)
    return render(request, "office/memo_detail.html", _memo_context(memo) | reading)


def _reader_context(user, memo) -> dict:
    """The memo's CC readers and, for a told reader, their own row (the note box)."""
    rows = list(memo.readers.select_related("position", "official"))
    official = getattr(user, "official", None)
    mine = next((r for r in rows if official and r.official_id == official.pk and r.notified_at), None)
    return {"readers": rows, "my_reading": mine}  # the reader's own row from the same list (reader_of's rule)


@login_required
def memo_note(request, memo_id: int):
    """A CC reader's note (the form in office/_readers.html); a GET goes back to the memo."""
    if request.method != "POST":
        return redirect("memo-detail", memo_id=memo_id)
    try:
        memo = services.get_visible_memo(request.user, memo_id)
        readers.leave_note(request.user, memo, {"note": request.POST.get("note", "")})
    except DomainError as exc:
        if exc.status == 400:
            messages.error(request, exc.message)
            return redirect("memo-detail", memo_id=memo_id)
        return _error_page(request, exc)
    messages.success(request, _("บันทึกข้อสังเกตแล้ว"))
    return redirect("memo-detail", memo_id=memo_id)


@login_required
def memo_submit(request, memo_id: int):
    if request.method != "POST":
        return redirect("memo-detail", memo_id=memo_id)
    try:
        memo = services.submit(request.user, memo_id)
    except DomainError as exc:
        return _error_page(request, exc)
    messages.success(request, _("ส่งแล้ว เลขที่ %(number)s") % {"number": memo_number(memo)})
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
        self.memo = task_selectors.memo_of(self.task)
        # the owner is the user (get_task checked it) and came with its official joined: the page's
        # other readers of ``request.user.official`` (menu counts, phrases) use it, not a query again
        request.user._state.fields_cache["official"] = self.task.owner.official
        if request.method == "GET" and self.task.status != STATUS.ASSIGNED:
            # an old email link, or the back button after deciding: show the memo as it stands
            messages.info(request, _("งานนี้ดำเนินการแล้ว"))
            return redirect("memo-detail", memo_id=self.memo.pk)
        return super().dispatch(request, *args, **kwargs)

    @property
    def _consultation(self) -> bool:
        return self.task.flow_task == services.review_nodes()[1]

    def _render(self, form, status=200):
        # the capacity the task was given in, kept with the task by the flow: the one answer
        given = (self.task.data or {}).get("capacity", "")
        capacity = _("ในฐานะ %(capacity)s") % {"capacity": given} if given else ""
        ctx = _memo_context(self.memo, seen_by_step=self.memo.current_step) | {
            "task": self.task, "form": form, "assignment": capacity, "acting": (self.task.data or {}).get("acting"),
            "phrases": phrases.phrases_for(self.task.owner.official),  # the owner is the user (get_task)
            "reason_needed": DecisionForm.REASON_NEEDED,
        }
        return render(self.request, "office/task.html", ctx, status=status)

    def get(self, request, *args, **kwargs):
        return self._render(DecisionForm(consultation=self._consultation))

    def post(self, request, *args, **kwargs):
        form = DecisionForm(request.POST, consultation=self._consultation)
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


@login_required
def phrase_save(request):
    """Keep the typed comment as one of the official's phrases, then back to the task page (the
    task form's second button posts here; scripts post ``text`` to /api/phrases/)."""
    back = request.POST.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("index")
    if request.method != "POST":
        return redirect(back)
    try:
        saved = phrases.save_phrase(drafting.official_of(request.user), request.POST.get("comment", ""))
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if saved is not None:
            messages.success(request, _("บันทึกข้อความไว้ใช้แล้ว"))
    return redirect(back)
