"""A memo's history: who did what, when. Append-only (``HistoryEntry``): entries are added
here and never changed or deleted, by the app or anyone else (the database refuses it too)."""

from __future__ import annotations

from .models import HistoryEntry, Memo


def log(memo: Memo, actor, action: str, **detail) -> HistoryEntry:
    return HistoryEntry.objects.create(memo=memo, actor=actor, action=action, detail=detail)
