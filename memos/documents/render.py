from __future__ import annotations

from . import announcement, memo, report
from .schema import AnnouncementDocument, MemoDocument, ReportDocument


def render(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> bytes:
    if isinstance(doc, MemoDocument):
        return memo.render(doc)
    if isinstance(doc, AnnouncementDocument):
        return announcement.render(doc)
    return report.render(doc)
