"""Pure typesetting: a JSON document in, PDF bytes out. No Django models, no requests."""

from .schema import DocumentError, parse_document

__all__ = ["DocumentError", "parse_document", "render_pdf"]


def render_pdf(data: object) -> bytes:
    """Validate ``data`` and render it; raises DocumentError on bad input."""
    from .archival import to_pdfa  # PDF/A-3b pass, last: after anything that rewrites the file
    from .render import render_untagged

    pdf = render_untagged(parse_document(data))
    # the structure tree in the same pikepdf pass; the fonts are fonts.make_subset's (widths agree)
    return to_pdfa(bytes(pdf), tags=pdf.tags, own_fonts=True)
