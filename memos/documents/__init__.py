"""Pure typesetting: a JSON document in, PDF bytes out. No Django models, no requests."""

from .schema import DocumentError, parse_document

__all__ = ["DocumentError", "parse_document", "render_pdf"]


def render_pdf(data: object) -> bytes:
    """Validate ``data`` and render it; raises DocumentError on bad input."""
    from .render import render

    return render(parse_document(data))
