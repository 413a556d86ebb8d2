from __future__ import annotations

from . import announcement, memo, report, tagging
from .common import Built
from .schema import AnnouncementDocument, MemoDocument, ReportDocument


def render_untagged(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> Built:
    """ReportLab's PDF and its structure tags (``Built.tags``), not yet applied."""
    if isinstance(doc, MemoDocument):
        return memo.render(doc)
    if isinstance(doc, AnnouncementDocument):
        return announcement.render(doc)
    return report.render(doc)


def render(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> bytes:
    """The tagged PDF, before the archival pass."""
    pdf = render_untagged(doc)
    return tagging.tag(bytes(pdf), pdf.tags)
