"""Tagged PDF: the drawing code marks each paragraph's content with an MCID and page furniture as
/Artifact while it draws (``begin``/``end``/``artifact``); after the build, ``tag`` adds what
readers need to use those marks: a structure tree (Document → H1/H2/P in reading order) with its
ParentTree, /StructParents on each page and /MarkInfo <</Marked true>>.

Why: screen readers and "reflow" views read a tagged PDF in structure order and skip artifacts
(the running page number, the emblem, the dotted leader lines), so a page number no longer lands in
the middle of a paragraph and the Thai text is announced as Thai (/Lang th, set by the build).
Plain text extraction (pdftotext, pdfminer, pypdf, MuPDF) ignores structure: the text layer itself
is exact on its own (text.py).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pikepdf

ROLES = ("H1", "H2", "P")


def begin(canv, role: str) -> None:
    """Open marked content for one structure element (``role`` in ROLES) on the current page."""
    tags = canv.__dict__.setdefault("_struct_tags", [])
    counts = canv.__dict__.setdefault("_struct_counts", {})  # MCIDs given per page so far
    page = canv.getPageNumber()
    mcid = counts.get(page, 0)
    counts[page] = mcid + 1
    tags.append((page, mcid, role))
    canv._code.append(f"/{role} <</MCID {mcid}>> BDC")


def end(canv) -> None:
    canv._code.append("EMC")


@contextmanager
def artifact(canv, kind: str = "Layout") -> Iterator[None]:
    """Page furniture: ``kind`` Pagination (page numbers) or Layout (rules, emblem, leaders)."""
    canv._code.append(f"/Artifact <</Type /{kind}>> BDC")
    try:
        yield
    finally:
        canv._code.append("EMC")


def tags_of(canv) -> list[tuple[int, int, str]]:
    """(page number from 1, MCID, role) in drawing order."""
    return list(canv.__dict__.get("_struct_tags", []))


def tag(pdf: bytes, tags: list[tuple[int, int, str]]) -> bytes:
    """``pdf`` with a structure tree over the marked content listed in ``tags`` (a pass of its own;
    ``render_pdf`` does this inside the archival pass instead: one open and one save)."""
    if not tags:
        return pdf
    import pikepdf  # here: the documents we draw get their tree from archival_build, without pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        add_structure(doc, tags)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def add_structure(doc: pikepdf.Pdf, tags: list[tuple[int, int, str]]) -> None:
    """The structure tree over ``tags`` added to the open ``doc``."""
    if not tags:
        return
    import pikepdf
    root = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
    document = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                    P=root))
    by_page: dict[int, list] = {}
    pages = [p.obj for p in doc.pages]
    roles = {r: pikepdf.Name("/" + r) for r in ROLES}
    struct_elem = pikepdf.Name.StructElem
    elems = []
    for page_no, mcid, role in tags:
        # a dict literal with the names made once: a third faster than keyword arguments (a long
        # report has a thousand elements, one per paragraph and cell)
        elem = doc.make_indirect(pikepdf.Dictionary({
            "/Type": struct_elem, "/S": roles.get(role) or pikepdf.Name("/" + role), "/P": document,
            "/Pg": pages[page_no - 1], "/K": mcid}))
        elems.append(elem)
        slots = by_page.setdefault(page_no, [])
        slots += [None] * (mcid + 1 - len(slots))
        slots[mcid] = elem
    document.K = pikepdf.Array(elems)
    nums = pikepdf.Array()
    for key, (page_no, slots) in enumerate(sorted(by_page.items())):
        pages[page_no - 1].StructParents = key
        nums.append(key)
        nums.append(doc.make_indirect(pikepdf.Array([s if s is not None else pikepdf.Null() for s in slots])))
    root.K = document
    root.ParentTree = doc.make_indirect(pikepdf.Dictionary(Nums=nums))
    root.ParentTreeNextKey = len(by_page)
    doc.Root.StructTreeRoot = root
    doc.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
