"""Browser forms. Sections are typed as plain text: a line "# heading" starts a section, "- item" is
a numbered sub-item, any other line is a paragraph. Nothing typed is ever interpreted as markup."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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


class MemoForm(forms.Form):
    subject = forms.CharField(label=_("เรื่อง"), max_length=500)
    addressee = forms.CharField(label=_("เรียน"), max_length=500)
    body = forms.CharField(
        label=_("เนื้อหา"),
        widget=forms.Textarea(attrs={"rows": 16}),
        help_text=_("บรรทัดที่ขึ้นต้นด้วย # คือหัวข้อ, ขึ้นต้นด้วย - คือข้อย่อย, บรรทัดอื่นคือย่อหน้า"),
    )
    closing = forms.CharField(label=_("คำลงท้าย"), max_length=300, initial="จึงเรียนมาเพื่อโปรดพิจารณา")

    def to_data(self) -> dict:
        d = self.cleaned_data
        return {
            "subject": d["subject"],
            "addressee": d["addressee"],
            "sections": parse_sections(d["body"]),
            "closing": d["closing"],
        }


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("การพิจารณา"),
        choices=[("endorse", _("เห็นชอบ/อนุมัติ")), ("return", _("ส่งคืนแก้ไข")), ("reject", _("ไม่อนุมัติ"))],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("ความเห็น"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, required=False
    )
