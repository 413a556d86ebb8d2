from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from . import models, outbox


class UnitInline(admin.TabularInline):
    model = models.Unit
    extra = 0
    fk_name = "agency"


@admin.register(models.Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "phone")
    inlines = [UnitInline]


@admin.register(models.Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("name", "parent", "agency")
    list_filter = ("agency",)


@admin.register(models.Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("title", "unit", "full_title", "deputy")
    list_filter = ("agency", "unit")


class HoldingInline(admin.TabularInline):
    model = models.Holding
    extra = 0


class ActingInline(admin.TabularInline):
    model = models.ActingAssignment
    extra = 0


@admin.register(models.Official)
class OfficialAdmin(admin.ModelAdmin):
    list_display = ("full_name", "user")
    search_fields = ("first_name", "last_name", "user__username")
    inlines = [HoldingInline, ActingInline]


@admin.register(models.ActingAssignment)
class ActingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("official", "kind", "position", "start", "end", "order_reference")


class RouteStepInline(admin.StackedInline):
    """A step: one position, or a parallel consultation (several positions, all must comment)."""

    model = models.RouteStep
    extra = 1
    fields = (("order", "kind"), "position", "positions", ("on_objection", "drafter_may_add"))
    filter_horizontal = ("positions",)


@admin.register(models.Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit", "memo_type")
    list_filter = ("memo_type",)
    inlines = [RouteStepInline]

    def save_related(self, request, form, formsets, change):
        """A consultation needs its positions, a single step its one position; the last step
        approves, so it must be a single position (checked once the positions are saved)."""
        super().save_related(request, form, formsets, change)
        steps = list(form.instance.steps.prefetch_related("positions"))
        for step in steps:
            if step.kind == models.StepKind.CONSULT and not step.positions.all():
                messages.warning(request, _("ลำดับ %(n)s เป็นการขอความเห็นร่วมแต่ยังไม่ได้เลือกตำแหน่ง") % {"n": step.order})
        if steps and steps[-1].kind == models.StepKind.CONSULT:
            messages.warning(request, _("ลำดับสุดท้ายต้องเป็นผู้อนุมัติเพียงตำแหน่งเดียว: บันทึกจะส่งไม่ได้จนกว่าจะแก้ไข"))


@admin.register(models.MemoType)
class MemoTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "code")


class ViewOnly:
    """Staff see the records; nobody, superusers included, adds, changes or deletes them here
    (issued records are append-only; the models and the database refuse it too). A mixin for
    model admins and inlines alike (workflow/admin.py uses it for viewflow's)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(ViewOnly, admin.TabularInline):
    """Rows shown with their parent. Every shown field is read-only: a non-editable one
    (``created_at``) cannot be a form field at all."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields


def _fields(model, *leave_out: str) -> list[str]:
    return [f.name for f in model._meta.fields if f.name not in ("id", "memo", *leave_out)]


class DecisionInline(ReadOnlyInline):
    model = models.Decision
    fields = _fields(models.Decision, "signature")


class HistoryInline(ReadOnlyInline):
    model = models.HistoryEntry
    fields = _fields(models.HistoryEntry)


class IssuedDocumentInline(ReadOnlyInline):
    model = models.IssuedDocument
    fields = _fields(models.IssuedDocument, "pdf")


class OutboxInline(ReadOnlyInline):
    model = models.OutboxMessage
    fields = ("key", "state", "attempts", "last_error", "created_at", "done_at")


class ViewOnlyAdmin(ViewOnly, admin.ModelAdmin):
    pass


@admin.register(models.Memo)
class MemoAdmin(ViewOnlyAdmin):
    """View only: a memo's content changes through the drafting rules (its drafter, while it is
    a draft or returned), and a numbered memo is never deleted."""

    list_display = ("id", "masked_subject", "secrecy", "urgency", "state", "number", "date", "drafter")
    list_filter = ("state", "agency", "secrecy", "urgency")
    search_fields = ("subject",)
    inlines = [DecisionInline, HistoryInline, IssuedDocumentInline, OutboxInline]

    @admin.display(description="เรื่อง")
    def masked_subject(self, memo) -> str:
        """A secret memo is listed (the register is complete) but its subject is not shown, and its
        page is refused (``has_view_permission``): only its route and readers read it (memos/visibility.py)."""
        return "(หนังสือลับ: ไม่แสดงเรื่อง)" if memo.is_secret else memo.subject

    def get_search_results(self, request, queryset, search_term):
        results, dupes = super().get_search_results(request, queryset, search_term)
        if search_term:  # a subject search must not confirm what a secret memo is about
            results = results.filter(secrecy=models.Secrecy.NORMAL)
        return results, dupes

    def has_view_permission(self, request, obj=None):
        if obj is not None and obj.is_secret:
            return False
        return super().has_view_permission(request, obj)


@admin.register(models.OutboxMessage)
class OutboxAdmin(admin.ModelAdmin):
    """Failed work shows here with its last error; "retry" puts it back in the queue."""

    list_display = ("id", "key", "state", "attempts", "last_error", "created_at", "dispatched_at", "done_at")
    list_filter = ("state", "task")
    search_fields = ("key",)
    readonly_fields = [f.name for f in models.OutboxMessage._meta.fields]
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a deleted row is work (an issue, an email) silently never done

    @admin.action(description=_("ลองใหม่ (งานที่ล้มเหลวหรือค้าง)"))
    def retry(self, request, queryset):
        for msg in queryset.exclude(state=models.OutboxMessage.State.DONE):
            outbox.retry(msg)
        self.message_user(request, _("ส่งกลับเข้าคิวแล้ว"))


@admin.register(models.Announcement)
class AnnouncementAdmin(ViewOnlyAdmin):
    """Its text is the issued PDF's: read-only, so page, feed and PDF keep matching. The one
    change is "withdraw" (final; recorded in the memo's history)."""

    list_display = ("id", "subject", "date", "published_at")
    list_filter = (("published_at", admin.EmptyFieldListFilter),)
    actions = ["withdraw"]

    def has_withdraw_permission(self, request) -> bool:
        return request.user.has_perm("memos.change_announcement")

    @admin.action(description=_("ถอนประกาศจากการเผยแพร่"), permissions=["withdraw"])
    def withdraw(self, request, queryset):
        withdrawn = sum(announcement.withdraw(request.user) for announcement in queryset)
        self.message_user(request, _("ถอนประกาศจากการเผยแพร่แล้ว %(count)d รายการ") % {"count": withdrawn})
