"""The organisation as data: agencies, units, positions, officials, who holds what, who acts for whom."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Agency(models.Model):
    name = models.CharField(_("ชื่อหน่วยงาน"), max_length=200)
    code = models.CharField(_("รหัสหนังสือ"), max_length=50, help_text=_("เช่น กบ 52401"))
    phone = models.CharField(_("โทรศัพท์"), max_length=50, blank=True)
    emblem = models.ImageField(_("ตราครุฑ"), upload_to="emblems/", blank=True)

    class Meta:
        verbose_name = _("หน่วยงาน")
        verbose_name_plural = _("หน่วยงาน")

    def __str__(self) -> str:
        return self.name


class Unit(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    name = models.CharField(_("ชื่อส่วนราชการ"), max_length=200)
    phone = models.CharField(_("โทรศัพท์"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("ส่วนราชการ")
        verbose_name_plural = _("ส่วนราชการ")

    def __str__(self) -> str:
        return self.name

    def ancestors_and_self(self) -> list[Unit]:
        """Nearest first. One query for the agency's units (an agency has tens of them), however
        deep the unit, kept on this instance for the request."""
        chain = self.__dict__.get("_ancestors_and_self")
        if chain is None:
            units = {u.pk: u for u in self.agency_units()} if self.parent_id else {}
            chain, unit = [self], self
            while unit.parent_id is not None:
                unit = units[unit.parent_id]
                chain.append(unit)
            self._ancestors_and_self = chain
        return chain

    def agency_units(self) -> list[Unit]:
        """Every unit of this unit's agency, by id: one query, kept on this instance."""
        units = self.__dict__.get("_agency_units")
        if units is None:
            units = self._agency_units = list(Unit.objects.filter(agency_id=self.agency_id).order_by("pk"))
        return units

    def division(self) -> Unit:
        """The top-level unit (สำนัก/กอง): the one a memo's ส่วนราชการ line names."""
        return self.ancestors_and_self()[-1]


class Position(models.Model):
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="positions")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="positions")
    title = models.CharField(_("ตำแหน่ง"), max_length=200)
    full_title = models.CharField(
        _("ตำแหน่งเต็มใต้ลายมือชื่อ"),
        max_length=250,
        blank=True,
        help_text=_("เช่น ปลัดเทศบาลตำบลคลองพน; ว่างไว้ถ้าเหมือนชื่อตำแหน่ง"),
    )
    # The organisation's acting order (memos.absence): whose holder acts for this post while its
    # holder is away (e.g. หัวหน้าสำนักปลัด for ปลัด's deputy). Empty: the admin names someone.
    deputy = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("ผู้ปฏิบัติหน้าที่แทนเมื่อไม่อยู่"),
        help_text=_("ตำแหน่งที่ผู้ดำรงตำแหน่งรักษาราชการแทนเมื่อผู้ดำรงตำแหน่งนี้ลาหรือไม่อยู่"),
    )

    class Meta:
        verbose_name = _("ตำแหน่ง")
        verbose_name_plural = _("ตำแหน่ง")

    def __str__(self) -> str:
        return self.title

    @property
    def signing_title(self) -> str:
        return self.full_title or self.title


class Official(models.Model):
    class Prefix(models.TextChoices):
        MR = "นาย", "นาย"
        MRS = "นาง", "นาง"
        MISS = "นางสาว", "นางสาว"

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="official")
    prefix = models.CharField(_("คำนำหน้า"), max_length=20, choices=Prefix.choices)
    first_name = models.CharField(_("ชื่อ"), max_length=100)
    last_name = models.CharField(_("นามสกุล"), max_length=100)
    signature = models.ImageField(_("ลายมือชื่อ"), upload_to="signatures/", blank=True)

    class Meta:
        verbose_name = _("เจ้าหน้าที่")
        verbose_name_plural = _("เจ้าหน้าที่")

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return self.name_of(self.prefix, self.first_name, self.last_name)

    @staticmethod
    def name_of(prefix: str, first_name: str, last_name: str) -> str:
        """Thai style: the prefix is written against the first name (นางสาวเรวดี ศรีสุขใส). Lists
        that read rows, not instances, name officials with it too."""
        return f"{prefix}{first_name} {last_name}"

    def position_on(self, day) -> Position | None:
        holding = (
            self.holdings.filter(Q(end__isnull=True) | Q(end__gte=day), start__lte=day)
            .select_related("position__unit")
            .order_by("-start")
            .first()
        )
        return holding.position if holding else None


class Holding(models.Model):
    """An official holds a position from ``start`` to ``end`` (open-ended when ``end`` is empty)."""

    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="holdings")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="holdings")
    start = models.DateField(_("ตั้งแต่"))
    end = models.DateField(_("ถึง"), null=True, blank=True)

    class Meta:
        verbose_name = _("การดำรงตำแหน่ง")
        verbose_name_plural = _("การดำรงตำแหน่ง")
        indexes = [models.Index(fields=["position", "start"])]

    def __str__(self) -> str:
        return f"{self.official} — {self.position}"


class ActingKind(models.TextChoices):
    ACTING = "รักษาราชการแทน", "รักษาราชการแทน"
    DELEGATED = "ปฏิบัติราชการแทน", "ปฏิบัติราชการแทน"
    ACTING_IN_POST = "รักษาการในตำแหน่ง", "รักษาการในตำแหน่ง"


class ActingAssignment(models.Model):
    """Someone acts for a position that is vacant or whose holder is away; it wins over the holder."""

    official = models.ForeignKey(Official, on_delete=models.PROTECT, related_name="acting_assignments")
    position = models.ForeignKey(Position, on_delete=models.PROTECT, related_name="acting_assignments")
    kind = models.CharField(_("ลักษณะ"), max_length=30, choices=ActingKind.choices)
    start = models.DateField(_("ตั้งแต่"))
    end = models.DateField(_("ถึง"), null=True, blank=True)
    order_reference = models.CharField(_("คำสั่งที่"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("การรักษาราชการแทน")
        verbose_name_plural = _("การรักษาราชการแทน")
        indexes = [models.Index(fields=["position", "start"])]

    def __str__(self) -> str:
        return f"{self.official} {self.kind} {self.position}"

    def clean(self) -> None:
        """Two assignments may cover the same day: the one that starts later wins (a newer order
        supersedes), see ``assignment.assignee_for``. Only an end before the start is refused."""
        if self.end is not None and self.start is not None and self.end < self.start:
            raise ValidationError({"end": _("วันสิ้นสุดต้องไม่ก่อนวันเริ่ม")})


class MemoType(models.Model):
    """A kind of memo (ทั่วไป, จัดซื้อจัดจ้าง …): it picks the route. ``code`` is what the API speaks
    and what a memo stores; ``general`` exists from the migration on and is every memo's default."""

    GENERAL = "general"

    code = models.SlugField(_("รหัส"), max_length=30, unique=True)
    name = models.CharField(_("ประเภทบันทึก"), max_length=100)

    class Meta:
        verbose_name = _("ประเภทบันทึก")
        verbose_name_plural = _("ประเภทบันทึก")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Route(models.Model):
    """The steps a unit's memos of one type go through; copied onto a memo when it is submitted.
    A route with no memo type is the unit's default; a unit without a route uses its parent's
    (``memos.review.route_for``)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="routes")
    memo_type = models.ForeignKey(
        MemoType, on_delete=models.PROTECT, null=True, blank=True, related_name="routes",
        verbose_name=_("ประเภทบันทึก"), help_text=_("ว่างไว้ = เส้นทางปกติของส่วนราชการนี้"),
    )
    name = models.CharField(_("ชื่อเส้นทาง"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("เส้นทางเสนอ")
        verbose_name_plural = _("เส้นทางเสนอ")
        constraints = [
            models.UniqueConstraint(fields=["unit", "memo_type"], name="route_unit_type_unique"),
            models.UniqueConstraint(
                fields=["unit"], condition=Q(memo_type__isnull=True), name="route_unit_default_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name or (f"{self.unit} ({self.memo_type})" if self.memo_type_id else str(self.unit))


class StepKind(models.TextChoices):
    SINGLE = "single", _("ตำแหน่งเดียว")
    CONSULT = "consult", _("ขอความเห็นร่วม (พร้อมกัน)")


class OnObjection(models.TextChoices):
    RETURN = "return", _("ส่งคืนผู้ร่าง")
    CONTINUE = "continue", _("เสนอต่อ โดยบันทึกข้อทักท้วงไว้")


class RouteStep(models.Model):
    """One step: one position, or a parallel consultation of several positions (all must comment,
    each endorses or objects; ``on_objection`` says what an objection does once all have)."""

    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("ลำดับ"))
    kind = models.CharField(_("ลักษณะ"), max_length=10, choices=StepKind.choices, default=StepKind.SINGLE)
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, related_name="+", null=True, blank=True,
        verbose_name=_("ตำแหน่ง"), help_text=_("สำหรับลำดับที่เป็นตำแหน่งเดียว"),
    )
    positions = models.ManyToManyField(
        Position, related_name="+", blank=True, verbose_name=_("ตำแหน่งที่ขอความเห็น"),
        help_text=_("สำหรับการขอความเห็นร่วม: ทุกตำแหน่งต้องให้ความเห็น"),
    )
    on_objection = models.CharField(
        _("เมื่อมีข้อทักท้วง"), max_length=10, choices=OnObjection.choices, default=OnObjection.RETURN
    )
    drafter_may_add = models.BooleanField(_("ผู้ร่างเพิ่มผู้ให้ความเห็นได้"), default=False)

    class Meta:
        ordering = ["order"]
        verbose_name = _("ลำดับในเส้นทาง")
        verbose_name_plural = _("ลำดับในเส้นทาง")
        constraints = [models.UniqueConstraint(fields=["route", "order"], name="route_step_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.position or self.get_kind_display()}"

    def clean(self) -> None:
        if self.kind == StepKind.SINGLE and self.position_id is None:
            raise ValidationError({"position": _("ลำดับที่เป็นตำแหน่งเดียวต้องระบุตำแหน่ง")})
