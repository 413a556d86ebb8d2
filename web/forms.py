"""Browser forms. Sections are typed as plain text: a line "# heading" starts a section, "- item" is
a numbered sub-item, any other line is a paragraph. Nothing typed is ever interpreted as markup."""

from __future__ import annotations

import json
from xml.etree import ElementTree

from django import forms
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from viewflow.forms.renderers import FormLayout

from memos import drafting
from memos.documents.schema import MAX_COMMENT
from memos.drafting import max_length
from memos.models import Announcement, Memo, MemoType, Position, Secrecy, Urgency
from memos.text import clean_line, clean_text


class LineField(forms.CharField):
    """A one-line text field: cleaned by the domain's rule (memos.text: line breaks folded,
    controls and invisible characters removed) before its length is checked."""

    def to_python(self, value):
        return clean_line(super().to_python(value)).strip()


class TextField(forms.CharField):
    """A multi-line text field (line feeds kept), cleaned by the same rule."""

    def to_python(self, value):
        return clean_text(super().to_python(value)).strip()


def parse_sections(text: str) -> list[dict]:
    sections: list[dict] = []
    current: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            current = {"heading": line.lstrip("#").strip() or None, "paragraphs": [], "items": []}
            sections.append(current)
            continue
        if current is None:
            current = {"heading": None, "paragraphs": [], "items": []}
            sections.append(current)
        if line.startswith("- "):
            current["items"].append(line[2:].strip())
        else:
            current["paragraphs"].append(line)
    return sections


def format_sections(sections: list[dict]) -> str:
    lines: list[str] = []
    for s in sections:
        if s.get("heading"):
            lines.append(f"# {s['heading']}")
        lines.extend(s.get("paragraphs", []))
        lines.extend(f"- {i}" for i in s.get("items", []))
        lines.append("")
    return "\n".join(lines).strip()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type=file multiple>``): a list, each file checked by the
    view with the domain's rule (``memos.uploads.checked``)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class ConsultantsPicker(forms.CheckboxSelectMultiple):
    """"ขอความเห็นเพิ่มเติม": a checkbox per post of the agency (title and who holds it), drawn by
    office/_consultants.html in place of viewflow's own checkbox list (``MemoFormLayout``): the
    route's own posts shown ticked and fixed, the list hidden (and its boxes not sent) while the
    chosen memo type's route does not take additions. static/js/consultants.js follows the memo
    type select in the page; the form checks it all again (``MemoForm.clean``)."""


class MemoFormLayout(FormLayout):
    """viewflow's default form layout (every visible field, one per row), with the consultants'
    picker rendered from our template."""

    def append_field(self, root, bound_field, renderer_class=None, layout_node=None):
        if not isinstance(bound_field.field.widget, ConsultantsPicker):
            return super().append_field(root, bound_field, renderer_class, layout_node)
        html = render_to_string("office/_consultants.html", bound_field.form.picker_context())
        root.append(ElementTree.fromstring(html))  # the template is well-formed XML (checked="checked")


class MemoForm(forms.Form):
    # lengths from the columns (the API's input model uses the same)
    subject = LineField(label=_("เรื่อง"), max_length=max_length(Memo, "subject"))
    addressee = LineField(label=_("เรียน"), max_length=max_length(Memo, "addressee"))
    phone = LineField(label=_("โทรศัพท์"), max_length=max_length(Memo, "phone"), required=False)
    memo_type = forms.ChoiceField(label=_("ประเภทบันทึก"), required=False,
                                  help_text=_("กำหนดเส้นทางเสนอ เช่น จัดซื้อจัดจ้างขอความเห็นกองคลังและกองช่าง"))
    body = TextField(
        label=_("เนื้อหา"),
        widget=forms.Textarea(attrs={"rows": 14}),
        help_text=_("บรรทัดที่ขึ้นต้นด้วย # คือหัวข้อ, ขึ้นต้นด้วย - คือข้อย่อย, บรรทัดอื่นคือย่อหน้า"),
    )
    closing = LineField(
        label=_("คำลงท้าย"), max_length=max_length(Memo, "closing"), initial="จึงเรียนมาเพื่อโปรดพิจารณา"
    )
    announcement_subject = LineField(
        label=_("ประกาศเมื่ออนุมัติ: เรื่อง"), max_length=max_length(Announcement, "subject"), required=False,
        help_text=_("เว้นว่างถ้าไม่ต้องออกประกาศ"),
    )
    announcement_body = TextField(
        label=_("ประกาศเมื่ออนุมัติ: เนื้อความ"), widget=forms.Textarea(attrs={"rows": 5}), required=False,
        help_text=_("หนึ่งบรรทัดต่อหนึ่งย่อหน้า"),
    )
    # not required: a form without them (an older page, a script) means ปกติ
    urgency = forms.ChoiceField(label=_("ชั้นความเร็ว"), choices=Urgency.choices, initial=Urgency.NORMAL, required=False)
    secrecy = forms.ChoiceField(
        label=_("ชั้นความลับ"), choices=Secrecy.choices, initial=Secrecy.NORMAL, required=False,
        help_text=_("บันทึกชั้นลับเห็นได้เฉพาะผู้ร่าง ผู้พิจารณาตามเส้นทาง และผู้รับสำเนา ไม่ออกประกาศ; "
                    "ชั้นลับที่สุดให้ดำเนินการเป็นเอกสารกระดาษ"),
    )
    readers = forms.ModelMultipleChoiceField(
        label=_("สำเนาเรียน (เพื่อทราบ)"), queryset=Position.objects.order_by("unit_id", "id"), required=False,
        help_text=_("ผู้รับสำเนาได้รับอีเมลเมื่อส่งเสนอและเห็นบันทึกนี้ โดยไม่ต้องพิจารณา"),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    attachment = MultipleFileField(
        label=_("แนบไฟล์ (PDF, PNG หรือ JPEG เลือกได้หลายไฟล์)"), required=False,
        widget=MultipleFileInput(attrs={"accept": "application/pdf,image/png,image/jpeg", "multiple": True}),
    )
    attachment_publish = forms.BooleanField(
        label=_("เผยแพร่พร้อมประกาศ"), required=False,
        help_text=_("ไฟล์นี้จะเผยแพร่ต่อสาธารณะพร้อมประกาศ ถ้าไม่เลือก เฉพาะผู้เกี่ยวข้องกับบันทึกเท่านั้นที่เห็นไฟล์"),
    )

    layout = MemoFormLayout()

    def __init__(self, *args, consultation: drafting.ConsultationChoices | None = None, **kwargs):
        """``consultation``: what the drafter may add to the consultation (``drafting.consultation_choices``);
        None (no memo type's route takes additions, or no drafter known): no picker, and the memo's
        consultants are left as they are."""
        super().__init__(*args, **kwargs)
        self.fields["memo_type"].choices = (
            consultation.types if consultation is not None else list(MemoType.objects.order_by("pk").values_list("code", "name"))
        )
        self.fields["memo_type"].initial = MemoType.GENERAL
        self.consultation = consultation
        if consultation is not None:  # the agency's posts are at hand, in unit-tree order: CC from them
            readers = self.fields["readers"]
            self.fields["readers"] = forms.TypedMultipleChoiceField(
                label=readers.label, help_text=readers.help_text, required=False, coerce=int, widget=readers.widget,
                choices=[(c.pk, c.position.title) for c in consultation.positions],
            )
            self.fields["consultants"] = forms.TypedMultipleChoiceField(
                label=_("ขอความเห็นเพิ่มเติม"), coerce=int, required=False, widget=ConsultantsPicker,
                choices=[(c.pk, c.position.title) for c in consultation.positions],
                disabled=consultation.locked,
                help_text=_("เลือกตำแหน่งที่จะขอความเห็นร่วมเพิ่มจากที่เส้นทางเสนอกำหนด "
                            "ผู้ให้ความเห็นเรียงตามรายการนี้"),
                error_messages={"invalid_choice": _("ตำแหน่งที่เลือกไม่อยู่ในหน่วยงานนี้ โปรดเลือกจากรายการ")},
            )
            if consultation.locked:  # only what the list can show (a disabled field is validated too)
                known = consultation.in_order(self.initial.get("consultants") or [])
                self.initial["consultants"] = known
            order = list(self.fields)
            order.remove("consultants")
            order.insert(order.index("memo_type") + 1, "consultants")
            self.order_fields(order)

    def _chosen_type(self) -> str:
        value = self["memo_type"].value()
        return value if value in dict(self.fields["memo_type"].choices) else MemoType.GENERAL

    def picker_context(self) -> dict:
        """What office/_consultants.html draws: each post (the route's own first, for the chosen
        memo type), ticked or not, and whether the list shows (the type takes additions, or the
        field has an error to show)."""
        c = self.consultation
        field = self["consultants"]
        chosen_type = self._chosen_type()
        fixed = c.fixed.get(chosen_type, [])
        # as sent (kept across an error); a value that is not a post's id has its error and no box
        ticked = {str(v) for v in field.value() or []}
        rank = {pk: i for i, pk in enumerate(fixed)}
        items = sorted(
            ({"pk": p.pk, "title": p.position.title, "holder": p.holder, "rank": i,
              "fixed": p.pk in rank, "checked": p.pk in rank or str(p.pk) in ticked}
             for i, p in enumerate(c.positions)),
            key=lambda item: (rank.get(item["pk"], len(rank)), item["rank"]),
        )
        return {
            "field": field, "items": items, "fixed_json": json.dumps(c.fixed), "locked": c.locked,
            "shown": c.allows(chosen_type) or bool(field.errors) or (c.locked and bool(ticked)),
        }

    def clean(self):
        data = super().clean()
        ids = data.get("consultants")
        if self.consultation is not None and not self.consultation.locked and ids and "memo_type" in data:
            code = data.get("memo_type") or MemoType.GENERAL
            if not self.consultation.allows(code):
                name = dict(self.fields["memo_type"].choices).get(code, code)
                self.add_error("consultants", _("ประเภทบันทึก “%(type)s” ไม่เปิดให้ผู้ร่างเพิ่มผู้ให้ความเห็น "
                                                "โปรดเอาเครื่องหมายออก หรือเลือกประเภทบันทึกอื่น") % {"type": name})
            else:  # the route's own are asked anyway; the rest in the list's order
                data["consultants"] = [i for i in self.consultation.in_order(ids)
                                       if i not in self.consultation.fixed[code]]
        if {"announcement_subject", "announcement_body"} & set(self.errors):
            return data  # a field's own error says what is wrong; "both or neither" would mislead
        if bool(data.get("announcement_subject", "").strip()) != bool(data.get("announcement_body", "").strip()):
            raise forms.ValidationError(_("ประกาศต้องมีทั้งเรื่องและเนื้อความ หรือเว้นว่างทั้งสองช่อง"))
        return data

    @classmethod
    def initial_for(cls, memo) -> dict:
        announcement = memo.announcement or {}
        return {
            "subject": memo.subject,
            "addressee": memo.addressee,
            "phone": memo.phone,
            "body": format_sections(memo.sections),
            "closing": memo.closing,
            "announcement_subject": announcement.get("subject", ""),
            "announcement_body": "\n".join(announcement.get("paragraphs", [])),
            "memo_type": memo.memo_type_id,
            "urgency": memo.urgency,
            "secrecy": memo.secrecy,
            "readers": [r.position_id for r in memo.readers.all() if r.position_id],
            "consultants": drafting.consultant_ids(memo),
        }

    def to_data(self) -> dict:
        d = self.cleaned_data
        data = {
            "subject": d["subject"],
            "addressee": d["addressee"],
            "sections": parse_sections(d["body"]),
            "closing": d["closing"],
            "announcement": None,
            "memo_type": d.get("memo_type") or MemoType.GENERAL,
            "urgency": d.get("urgency") or Urgency.NORMAL,
            "secrecy": d.get("secrecy") or Secrecy.NORMAL,
            "readers": [{"position": p if isinstance(p, int) else p.pk} for p in d["readers"]],
        }
        if "consultants" in self.fields and not self.fields["consultants"].disabled:
            data["consultants"] = d.get("consultants") or []  # nothing ticked (or the list hidden): none
        if d["phone"].strip():
            data["phone"] = d["phone"]
        if d["announcement_subject"].strip():
            paragraphs = [line.strip() for line in d["announcement_body"].splitlines() if line.strip()]
            data["announcement"] = {"subject": d["announcement_subject"], "paragraphs": paragraphs}
        return data

    def add_domain_error(self, exc) -> None:
        """Put a service's error on the field it names (the file, a section …), else on the form."""
        field = {"file": "attachment", "sections": "body", "announcement": "announcement_subject"}.get(
            exc.field or "", exc.field)
        self.add_error(field if field in self.fields else None, exc.message)


class DecisionForm(forms.Form):
    """The reviewer's decision. A return or a rejection needs a reason (the drafter's email and
    the signed memo carry it); the page checks it before sending too (static/js/task.js)."""

    REASON_NEEDED = {
        "return": _("โปรดระบุเหตุผลที่ส่งคืนแก้ไข"),
        "reject": _("โปรดระบุเหตุผลที่ไม่อนุมัติ"),
        "object": _("โปรดระบุข้อทักท้วง"),
    }

    decision = forms.ChoiceField(
        label=_("การพิจารณา"),
        choices=[("endorse", _("เห็นชอบ/อนุมัติ")), ("return", pgettext_lazy("decision", "ส่งคืนแก้ไข")),
                 ("reject", pgettext_lazy("decision", "ไม่อนุมัติ"))],
        widget=forms.RadioSelect,
        error_messages={"required": _("โปรดเลือกผลการพิจารณา"),
                        "invalid_choice": _("โปรดเลือกผลการพิจารณาจากรายการ")},
    )

    def __init__(self, *args, consultation: bool = False, **kwargs):
        """A consultation task (ขอความเห็นร่วม) offers endorse or object, nothing else."""
        super().__init__(*args, **kwargs)
        if consultation:
            self.fields["decision"].choices = [("endorse", _("เห็นชอบ")), ("object", _("ไม่เห็นชอบ/มีข้อทักท้วง"))]
    comment = TextField(
        label=_("ความเห็น"), widget=forms.Textarea(attrs={"rows": 4}), max_length=MAX_COMMENT, required=False
    )

    def clean(self):
        data = super().clean()
        needed = self.REASON_NEEDED.get(data.get("decision", ""))
        if needed and not data.get("comment") and "comment" not in self.errors:
            self.add_error("comment", needed)
        return data
