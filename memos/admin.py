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
    list_display = ("title", "unit", "full_title")
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


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DecisionInline(ReadOnlyInline):
    model = models.Decision
    exclude = ("signature",)


class HistoryInline(ReadOnlyInline):
    model = models.HistoryEntry


class OutboxInline(ReadOnlyInline):
    model = models.OutboxMessage
    fields = ("key", "state", "attempts", "last_error", "created_at", "done_at")


@admin.register(models.Memo)
class MemoAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "state", "number", "date", "drafter")
    list_filter = ("state", "agency")
    search_fields = ("subject",)
    readonly_fields = ("state", "number", "register_year", "date", "round", "current_step")
    inlines = [DecisionInline, HistoryInline, OutboxInline]


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

    @admin.action(description=_("ลองใหม่ (งานที่ล้มเหลวหรือค้าง)"))
    def retry(self, request, queryset):
        for msg in queryset.exclude(state=models.OutboxMessage.State.DONE):
            outbox.retry(msg)
        self.message_user(request, _("ส่งกลับเข้าคิวแล้ว"))


@admin.register(models.Announcement)
class AnnouncementAdmin(admin.ModelAdmin):
    list_display = ("id", "subject", "date", "published_at")
    readonly_fields = ("memo", "agency", "document", "date", "signer_name", "signer_position")
