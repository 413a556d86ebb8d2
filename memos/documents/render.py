from __future__ import annotations

from . import announcement, memo, report, tagging
from .common import Built, as_reportlab_writes
from .schema import AnnouncementDocument, MemoDocument, ReportDocument


def render_built(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> Built:
    """The PDF with its archival parts and structure tree when ``Built.archival`` (else as
    render_untagged: render_pdf then runs the archival pass)."""
    if isinstance(doc, MemoDocument):
        return memo.render(doc)
    if isinstance(doc, AnnouncementDocument):
        return announcement.render(doc)
    return report.render(doc)


def render_untagged(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> Built:
    """ReportLab's PDF and its structure tags (``Built.tags``), not yet applied, without archival parts."""
    with as_reportlab_writes():
        return render_built(doc)


def render(doc: MemoDocument | AnnouncementDocument | ReportDocument) -> bytes:
    """The tagged PDF, before the archival pass."""
    pdf = render_untagged(doc)
    return tagging.tag(bytes(pdf), pdf.tags)
