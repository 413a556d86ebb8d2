"""CC readers (สำเนาเรียน / เพื่อทราบ): told on submit, never waited for, free to leave a note.

Nothing here touches the route or the decisions: a reader's note is theirs, kept on the reader row
and shown on the memo page, and is not part of the signed decision chain or the issued PDF.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import BaseModel, ConfigDict

from . import history, mail, text
from .assignment import assignee_for
from .documents.schema import MAX_COMMENT
from .drafting import official_of, validate
from .errors import InvalidInput, NotFound
from .models import Memo, MemoReader


class NoteInput(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: text.Text(MAX_COMMENT)


def notify(memo: Memo) -> int:
    """On submit (in its transaction): resolve each position to whoever acts for it today, mark the
    reader notified (from then on the memo is in their list) and owe each one email (once per memo
    and official, whatever resubmits follow). A post nobody holds is skipped, never an error: a
    reader never blocks the memo. Returns how many readers were told."""
    today = timezone.localdate()
    now = timezone.now()
    told = 0
    for reader in memo.readers.select_related("position", "official__user"):
        if reader.position_id is not None:
            try:
                reader.official = assignee_for(reader.position, today).official
            except InvalidInput:
                continue
        if reader.official is None or reader.official.pk == memo.drafter_id:
            continue
        reader.notified_at = reader.notified_at or now
        reader.save(update_fields=["official", "notified_at"])
        mail.copy_to_reader(memo, reader.official)
        told += 1
    return told


def reader_of(user, memo: Memo) -> MemoReader | None:
    """The user's reader row on the memo (None when they are not a told reader of it)."""
    official = getattr(user, "official", None)
    if official is None:
        return None
    return memo.readers.filter(official=official, notified_at__isnull=False).first()


def mark_read(user, memo: Memo) -> None:
    """The first time a reader opens the memo (page or API), noted for the drafter to see."""
    official = getattr(user, "official", None)
    if official is not None:
        memo.readers.filter(official=official, notified_at__isnull=False, read_at__isnull=True).update(
            read_at=timezone.now()
        )


@transaction.atomic
def leave_note(user, memo: Memo, data: Any) -> MemoReader:
    """A reader's note (replaces their earlier one). Only a told reader of the memo may write one."""
    official_of(user)
    value = validate(NoteInput, data)
    reader = reader_of(user, memo)
    if reader is None:
        raise NotFound(_("ท่านไม่ได้เป็นผู้รับสำเนาบันทึกนี้"))
    now = timezone.now()
    reader.note, reader.noted_at, reader.read_at = value.note, now, reader.read_at or now
    reader.save(update_fields=["note", "noted_at", "read_at"])
    history.log(memo, user, "reader_note")
    return reader
