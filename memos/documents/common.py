"""Shared pieces: the document template with page numbers, signature blocks, images."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from reportlab import rl_config
from reportlab.lib.units import cm
from reportlab.pdfbase.pdfmetrics import getFont
from reportlab.pdfbase.ttfonts import ShapedStr
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Image, Spacer
from reportlab.platypus import KeepTogether as _ReportLabKeepTogether
from reportlab.platypus.doctemplate import BaseDocTemplate, Frame, FrameBreak, PageTemplate

from . import archival_build, rlfast, tagging
from . import layout as L
from .digits import thai_digits
from .fonts import BOLD, REGULAR, recode, register
from .text import TextStyle, ThaiParagraph, as_shaped, shaped
from .thai import thai_date

# Streams are Flate only, without ReportLab's ASCII85 layer (a quarter larger, and encoded for 7-bit
# channels PDFs no longer travel through): the archival pass saves streams as they are written.
rl_config.useA85 = 0

rlfast.install()  # faster paths through canvas.save, the same bytes; the Flate level (rlfast.py)
archival_build.install()  # an end-of-line before endstream in the documents it finishes

# Whether ``build`` writes the archival parts itself (archival_build.finish); off only inside
# ``as_reportlab_writes`` (the archival pass's tests want ReportLab's plain output)
_FINISH: ContextVar[bool] = ContextVar("finish", default=True)


@contextmanager
def as_reportlab_writes() -> Iterator[None]:
    """``build`` inside this block writes what ReportLab writes, without archival_build's parts."""
    token = _FINISH.set(False)
    try:
        yield
    finally:
        _FINISH.reset(token)


class _Canvas(Canvas):
    """ReportLab's canvas that writes the archival parts (archival_build) as it saves; ``archival``
    says whether it did."""

    archival = False

    def save(self):
        if _FINISH.get():
            self.archival = archival_build.finish(self)
        super().save()


def body(size=L.BODY_SIZE, **kw) -> TextStyle:
    return TextStyle(font=REGULAR, size=size, **kw)


class _ArtifactImage(Image):
    """The emblem and signature images: marked as artifacts (no alternative text to give them)."""

    def draw(self):
        with tagging.artifact(self.canv):
            super().draw()


def image_or_space(path: str | None, height: float, width: float | None = None):
    """An image scaled to ``height``; a blank of the same height when there is none (space kept)."""
    if path:  # the schema checked it is a PNG or JPEG file
        img = _ArtifactImage(path)
        ratio = img.imageWidth / float(img.imageHeight or 1)
        img.drawHeight, img.drawWidth = height, height * ratio
        return img
    return Spacer(width or height, height)


def signature_block(name: str, lines: list[str], signature: str | None, width: float, digits=True,
                    date=None) -> list:
    """Signature (image or blank), "(name)", position line(s), centred in the right part of the page."""
    indent = width * 0.42
    st = body(align="center", left_indent=indent)
    sig = image_or_space(signature, 1.2 * cm)
    out = [Spacer(1, 4), _centred_right(sig, width, indent), ThaiParagraph(f"({name})", st)]
    out += [ThaiParagraph(thai_digits(x) if digits else x, st) for x in lines]
    if date is not None:
        out.append(ThaiParagraph(thai_date(date), st))
    return out


MIN_LINES = 2  # FORMAT.md "Page make-up": lines that go with a signature block or a heading


def _line_height(f) -> float:
    return getattr(getattr(f, "style", None), "line_height", 0.0)


def _at_top(f) -> bool:
    frame = getattr(f, "_frame", None)
    return bool(frame is not None and getattr(frame, "_atTop", False))


def _split_leaving(para, aW: float, avail: float, tail_lines: int):
    """``para`` cut so the first part fits ``avail`` and at least ``tail_lines`` lines follow."""
    lh = _line_height(para)
    if not lh:
        return None
    _, h = para.wrap(aW, 0xFFFFFF)
    parts = para.split(aW, min(avail, h - tail_lines * lh + 0.01))
    return parts if len(parts) == 2 else None


class KeepTogether(_ReportLabKeepTogether):
    """ReportLab's KeepTogether without its copy of the page frame at every wrap: ReportLab deep-copies
    the current frame so that flowables inside may add generated content to it (a page break's); ours
    (paragraphs, tables, images, spacers) never do, and the copies were a fortieth of a render."""

    def wrap(self, aW, aH):
        doc = getattr(self.canv, "_doctemplate", None)
        frame = getattr(doc, "frame", None)
        if frame is None:
            return super().wrap(aW, aH)
        doc.frame = None  # _listWrapOn copies the frame only when the template has one
        try:
            return super().wrap(aW, aH)
        finally:
            doc.frame = frame


class KeepTail(KeepTogether):
    """``block`` (a closing line, a date line, a signature) never starts a page without the last
    ``lines`` lines of ``lead`` (the paragraph before it): the paragraph is cut higher instead.
    ``before`` (the heading of the lead's section) stays with the lead's first lines."""

    def __init__(self, lead, block: list, lines: int = MIN_LINES, before: list | None = None):
        self._before = list(before or [])
        super().__init__([*self._before, lead, *block])
        self._lead, self._block, self._lines = lead, list(block), lines

    def split(self, aW, aH):
        self.wrap(aW, aH)
        if self._H <= aH:
            return list(self._content)
        used = sum(f.wrap(aW, aH)[1] + f.getSpaceBefore() + f.getSpaceAfter() for f in self._before)
        parts = _split_leaving(self._lead, aW, aH - used - self._lead.getSpaceBefore(), self._lines) \
            if aH - used > 0 else None
        if parts:  # the rest may run over a page again
            return [*self._before, parts[0], KeepTail(parts[1], self._block, self._lines)]
        if _at_top(self) or getattr(self, "_moved", False):
            return list(self._content)  # a whole page is not enough: let it run over
        self._moved = True
        return [FrameBreak(), self]  # start the group on the next page and split it there


class KeepHead(KeepTogether):
    """``heading`` never ends a page: it goes with at least ``lines`` lines of what follows."""

    def __init__(self, heading, follow: list, lines: int = MIN_LINES):
        super().__init__([heading, *follow])
        self._heading, self._follow, self._lines = heading, list(follow), lines

    def split(self, aW, aH):
        self.wrap(aW, aH)
        if self._H <= aH:
            return list(self._content)
        _, used = self._heading.wrap(aW, aH)
        used += self._heading.getSpaceAfter()
        got, placed = 0, [self._heading]
        for i, f in enumerate(self._follow):
            _, h = f.wrap(aW, aH)
            lh = _line_height(f) or h
            space = f.getSpaceBefore()
            if used + space + h <= aH:
                placed.append(f)
                used += space + h + f.getSpaceAfter()
                got += max(1, int(h // lh))
                if got >= self._lines:
                    return placed + self._follow[i + 1:]
                continue
            parts = f.split(aW, aH - used - space) if aH - used - space > 0 else []
            if len(parts) == 2:
                _, h0 = parts[0].wrap(aW, aH)
                if got + int(h0 // lh) >= self._lines:
                    return placed + parts + self._follow[i + 1:]
            break
        if _at_top(self):
            return list(self._content)
        return [FrameBreak(), *self._content]


class Centred(Flowable):
    """``flowable`` centred in a box ``width`` wide, with ``top``/``bottom`` padding: what a one-cell
    Table with ALIGN CENTER and equal side paddings drew (the emblem, a signature image), without a
    Table's cell styles and geometry, a tenth of a memo's render for four signature images."""

    def __init__(self, flowable, width: float, top: float = 0.0, bottom: float = 0.0, h_align: str = "CENTER"):
        super().__init__()
        self._content, self._box, self._top, self._bottom = flowable, width, top, bottom
        self.hAlign = h_align

    def wrap(self, availWidth, availHeight):
        self._w, h = self._content.wrap(self._box, availHeight)
        self.width, self.height = self._box, h + self._top + self._bottom
        return self.width, self.height

    def draw(self):
        self._content.drawOn(self.canv, (self._box - self._w) / 2.0, self._bottom)


def _centred_right(flowable, width, indent):
    return Centred(flowable, width - indent, h_align="RIGHT")


def _unhyphenated(s) -> ShapedStr:
    """The last dash of "- ๒ -" drawn with the same glyph but read as U+2011 (non-breaking hyphen):
    poppler takes a line ending in "-" for a hyphenated word and glues the first body line to it,
    dropping the dash ("-๒สำนักงาน…")."""
    s = as_shaped(s, REGULAR)
    gid = getFont(REGULAR).face.charToGlyph[ord(s[-1])]
    code = recode(REGULAR, gid, "\u2011", s.__shapeData__[-1].width)
    return ShapedStr(str(s)[:-1] + chr(code), shapeData=list(s.__shapeData__))


def _page_number(canv, doc, drop: float = 0.0):
    n = canv.getPageNumber()
    if n < L.PAGE_NUMBERS_FROM:
        return
    text = f"- {thai_digits(str(n))} -"
    w = shaped(text, REGULAR, L.BODY_SIZE)[1]
    x = (doc.pagesize[0] - w) / 2
    y = doc.pagesize[1] - 1.0 * cm - drop
    t = canv.beginText(x, y)
    t.setFont(REGULAR, L.BODY_SIZE)
    t.textOut(_unhyphenated(shaped(text, REGULAR, L.BODY_SIZE)[0]))
    with tagging.artifact(canv, "Pagination"):
        canv.drawText(t)


def build(story: list, pagesize=L.PAGE, on_first=None, title="", author="", on_page=None,
          band: float = 0.0) -> bytes:
    """The PDF, its language (``/Lang (th)``: screen readers and search pick Thai rules) and its
    document information (title: the subject; author: the agency), which readers show and index.
    ``on_page`` draws on every page (a secret document's marks) in a ``band`` added to the top
    and bottom margins; the page number moves down by the band."""
    register()
    buf = io.BytesIO()
    doc = BaseDocTemplate(
        buf, pagesize=pagesize, leftMargin=L.MARGIN_LEFT, rightMargin=L.MARGIN_RIGHT,
        topMargin=L.MARGIN_TOP + band, bottomMargin=L.MARGIN_BOTTOM + band, title=title, author=author, subject=title, creator="memo-approval", lang="th",
        initialFontName=REGULAR, initialFontSize=L.BODY_SIZE,
    )
    frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height, 0, 0, 0, 0, id="body")
    later_frame = Frame(doc.leftMargin, doc.bottomMargin, doc.width, doc.height - 0.6 * cm, 0, 0, 0, 0, id="later")

    def every(canv, d):
        if on_page:
            on_page(canv, d)
        _page_number(canv, d, band)

    def first(canv, d):
        if on_first:
            on_first(canv, d)
        every(canv, d)

    doc.addPageTemplates([
        PageTemplate(id="first", frames=[frame], onPage=first, autoNextPageTemplate="later"),
        PageTemplate(id="later", frames=[later_frame], onPage=every),
    ])
    canvases: list[Canvas] = []

    def canvas(*args, **kw) -> Canvas:
        kw.update(initialFontName=REGULAR, initialFontSize=L.BODY_SIZE)
        canvases.append(_Canvas(*args, **kw))
        return canvases[-1]

    doc.build(story, canvasmaker=canvas)
    # the structure tags of the marked content (ReportLab may build twice: the last canvas drew the PDF)
    return Built(buf.getvalue(), tagging.tags_of(canvases[-1]), canvases[-1].archival)


class Built(bytes):
    """The PDF as ReportLab wrote it, ``tags``: the marked content its drawing recorded, and
    ``archival``: whether the file already holds its structure tree and PDF/A-3b parts
    (archival_build.finish). When it does not, ``render_pdf`` runs the archival pass, which adds the
    tree in the same pikepdf open and save (render.render tags it on its own)."""

    tags: list[tuple[int, int, str]]
    archival: bool

    def __new__(cls, data: bytes, tags: list[tuple[int, int, str]], archival: bool = False):
        obj = super().__new__(cls, data)
        obj.tags = tags
        obj.archival = archival
        return obj



__all__ = ["BOLD", "REGULAR", "Built", "Centred", "KeepHead", "KeepTail", "body", "build", "image_or_space", "signature_block"]
