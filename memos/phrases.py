"""Comment phrases: the standard ones every reviewer is offered, then the official's own."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .errors import InvalidInput
from .models import CommentPhrase, Official
from .models.office import MAX_PHRASE, MAX_PHRASES, STANDARD_PHRASES
from .text import clean_line


def phrases_for(official: Official | None) -> list[str]:
    """The standard phrases, then the official's saved ones (one query), without repeats."""
    own = list(official.phrases.values_list("text", flat=True)) if official else []
    return list(dict.fromkeys([*STANDARD_PHRASES, *own]))


def save_phrase(official: Official, text: str) -> CommentPhrase | None:
    """Keep a phrase (a comment on one line, cleaned like any typed line); saving one already
    kept, or a standard one, changes nothing."""
    if not isinstance(text, str):
        raise InvalidInput(_("ข้อความต้องเป็นตัวอักษร"), field="text")
    text = clean_line(text).strip()
    if not text:
        raise InvalidInput(_("โปรดพิมพ์ข้อความที่จะบันทึกไว้ใช้"), field="text")
    if len(text) > MAX_PHRASE:
        raise InvalidInput(_("ข้อความยาวเกิน %(n)s ตัวอักษร") % {"n": MAX_PHRASE}, field="text")
    with transaction.atomic():
        Official.objects.select_for_update().filter(pk=official.pk).first()  # one writer per official
        existing = official.phrases.filter(text=text).first()
        if existing is not None:
            return existing
        if text in STANDARD_PHRASES:
            return None  # offered to everyone already
        if official.phrases.count() >= MAX_PHRASES:
            raise InvalidInput(_("บันทึกได้ไม่เกิน %(n)s ข้อความ โปรดลบข้อความเดิมก่อน") % {"n": MAX_PHRASES}, field="text")
        last = official.phrases.aggregate(m=Max("order"))["m"] or 0
        return CommentPhrase.objects.create(official=official, text=text, order=last + 1)
