from __future__ import annotations

from .models import HistoryEntry, Memo


def log(memo: Memo, actor, action: str, **detail) -> HistoryEntry:
    return HistoryEntry.objects.create(memo=memo, actor=actor, action=action, detail=detail)
