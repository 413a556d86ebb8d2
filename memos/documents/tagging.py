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

import pikepdf

ROLES = ("H1", "H2", "P")


def begin(canv, role: str) -> None:
    """Open marked content for one structure element (``role`` in ROLES) on the current page."""
    tags = canv.__dict__.setdefault("_struct_tags", [])
    page = canv.getPageNumber()
    mcid = sum(1 for p, _m, _r in tags if p == page)
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
    """``pdf`` with a structure tree over the marked content listed in ``tags``."""
    if not tags:
        return pdf
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        root = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructTreeRoot))
        document = doc.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.StructElem, S=pikepdf.Name.Document,
                                                        P=root))
        kids = pikepdf.Array()
        by_page: dict[int, list] = {}
        for page_no, mcid, role in tags:
            page = doc.pages[page_no - 1].obj
            elem = doc.make_indirect(pikepdf.Dictionary(
                Type=pikepdf.Name.StructElem, S=pikepdf.Name("/" + role), P=document, Pg=page, K=mcid))
            kids.append(elem)
            slots = by_page.setdefault(page_no, [])
            slots += [None] * (mcid + 1 - len(slots))
            slots[mcid] = elem
        document.K = kids
        nums = pikepdf.Array()
        for key, (page_no, slots) in enumerate(sorted(by_page.items())):
            doc.pages[page_no - 1].obj.StructParents = key
            nums.append(key)
            nums.append(doc.make_indirect(pikepdf.Array([s if s is not None else pikepdf.Null() for s in slots])))
        root.K = document
        root.ParentTree = doc.make_indirect(pikepdf.Dictionary(Nums=nums))
        root.ParentTreeNextKey = len(by_page)
        doc.Root.StructTreeRoot = root
        doc.Root.MarkInfo = pikepdf.Dictionary(Marked=True)
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()
