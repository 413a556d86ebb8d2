"""Pure typesetting: a JSON document in, PDF bytes out. No Django models, no requests."""

from .schema import DocumentError, parse_document

__all__ = ["DocumentError", "parse_document", "render_pdf"]


def render_pdf(data: object) -> bytes:
    """Validate ``data`` and render it; raises DocumentError on bad input."""
    from .render import render_built

    pdf = render_built(parse_document(data))
    if pdf.archival:  # ReportLab wrote the PDF/A-3b parts and the structure tree (archival_build.py)
        return bytes(pdf)
    from .archival import to_pdfa  # else the PDF/A-3b pass; the fonts are fonts.make_subset's (widths agree)

    return to_pdfa(bytes(pdf), tags=pdf.tags, own_fonts=True)
