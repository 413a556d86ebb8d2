from django.contrib import admin
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


class RouteStepInline(admin.TabularInline):
    model = models.RouteStep
    extra = 1


@admin.register(models.Route)
class RouteAdmin(admin.ModelAdmin):
    list_display = ("__str__", "unit")
    inlines = [RouteStepInline]


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

    list_display = ("id", "subject", "state", "number", "date", "drafter")
    list_filter = ("state", "agency")
    search_fields = ("subject",)
    inlines = [DecisionInline, HistoryInline, IssuedDocumentInline, OutboxInline]


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
