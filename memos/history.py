"""A memo's history: who did what, when. Append-only (``HistoryEntry``): entries are added
here and never changed or deleted, by the app or anyone else (the database refuses it too)."""

from __future__ import annotations

from . import records
from .compiled import insert
from .models import HistoryEntry, Memo


def log(memo: Memo, actor, action: str, **detail) -> HistoryEntry:
    """Add the entry; for a submit, a decision, the issue or a withdrawal also append the memo's
    signed decision record (``memos.records``), so no path that writes one can skip the other."""
    entry = insert(HistoryEntry(memo=memo, actor=actor, action=action, detail=detail))
    if action in records.CHAINED:
        records.append(memo, actor, action, detail)
    return entry
