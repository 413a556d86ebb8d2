"""Append attachments (PDF files, or PNG/JPEG images as one page each) after a rendered PDF.

Attached PDFs are sanitised here (active content removed) every time they are appended, not only
when they are uploaded: rows stored before uploads were sanitised must not carry JavaScript into a
public document. The same functions check an upload, so "can be stored" and "can be issued" are
one rule.
"""

from __future__ import annotations

import io
import re
import warnings

import pikepdf
from PIL import Image
from pypdf import PdfReader, PdfWriter
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen.canvas import Canvas

from . import layout as L
from .archival import make_pdfa, save_pdfa, walk
from .fonts import REGULAR, register
from .schema import DocumentError

# An A4 page scanned at 600 dpi is about 35 million pixels. A larger image is refused rather
# than decoded: a small PNG can claim 30000 x 30000 pixels (a decompression bomb).
MAX_IMAGE_PIXELS = 40_000_000

# Actions a link or outline item may keep: a jump inside the document, or a web or mail address.
_SAFE_ACTIONS = {"/GoTo", "/URI"}
_SAFE_URI_SCHEMES = ("http:", "https:", "mailto:")
# Annotations that carry a file, media or a scripted player: removed with their content.
_UNSAFE_ANNOTATIONS = {"/FileAttachment", "/Sound", "/Movie", "/Screen", "/RichMedia", "/3D"}
# Keys that start something on their own (open, page, field, annotation events) or carry a file.
_UNSAFE_KEYS = ("/AA", "/OpenAction", "/EF", "/AF", "/RichMediaContent", "/JS")


class ImageTooLarge(DocumentError):
    """More pixels than MAX_IMAGE_PIXELS."""




def check_image(data: bytes) -> tuple[int, int]:
    """Decode the whole image (a truncated or damaged one fails here, not at issue) within the
    pixel bound. Returns its size. Raises DocumentError."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as img:
                if img.format not in ("PNG", "JPEG"):
                    raise DocumentError([f"image: {img.format} is not PNG or JPEG"])
                if img.width * img.height > MAX_IMAGE_PIXELS:
                    raise ImageTooLarge(
                        [f"image: {img.width} x {img.height} pixels, more than {MAX_IMAGE_PIXELS:,}"]
                    )
                img.load()
                return img.size
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLarge([f"image: too many pixels ({exc})"]) from exc
    except Exception as exc:  # PIL raises OSError, SyntaxError, ValueError … for a damaged file
        raise DocumentError([f"image: cannot be decoded ({exc})"]) from exc


def _safe_action(action) -> bool:
    if not isinstance(action, pikepdf.Dictionary):
        return False
    kind = action.get("/S")
    if kind not in _SAFE_ACTIONS:
        return False
    if kind == "/URI":
        try:
            uri = bytes(action.get("/URI", b"")).decode("latin-1")
        except (TypeError, ValueError):
            return False
        # browsers ignore whitespace and control characters inside a scheme ("java\tscript:")
        squashed = "".join(ch for ch in uri if ch > " ").lower()
        return squashed.startswith(_SAFE_URI_SCHEMES)
    return True


def _clean(obj: pikepdf.Object) -> None:
    """Remove active content from one dictionary (a stream's dictionary included)."""
    for key in _UNSAFE_KEYS:
        if key in obj:
            del obj[key]
    action = obj.get("/A")
    # an action has its type in /S (a structure element's /A is attributes, left alone)
    if isinstance(action, pikepdf.Dictionary) and "/S" in action and not _safe_action(action):
        del obj["/A"]
    if "/Next" in obj:  # a safe action may chain to an unsafe one
        del obj["/Next"]
    annots = obj.get("/Annots")
    if isinstance(annots, pikepdf.Array):
        kept = [a for a in annots if not (isinstance(a, pikepdf.Dictionary) and a.get("/Subtype") in _UNSAFE_ANNOTATIONS)]
        if len(kept) != len(annots):
            obj["/Annots"] = pikepdf.Array(kept)


def _reason(exc: Exception) -> str:
    """qpdf's message without the name of the in-memory stream it was reading."""
    return re.sub(r"stream <[^>]*>: ", "", str(exc))


def sanitize_pdf(data: bytes) -> bytes:
    """The PDF without document, page, annotation and form-field actions (other than jumps and
    web links), document JavaScript, embedded files, file-attachment and media annotations and
    XFA forms; checked to open with pikepdf and to append with pypdf as issuing does.
    Raises DocumentError for a damaged, encrypted or empty PDF."""
    try:
        pdf = pikepdf.open(io.BytesIO(data))
    except pikepdf.PasswordError as exc:
        raise DocumentError(["pdf: protected by a password"]) from exc
    except Exception as exc:  # pikepdf.PdfError and friends
        raise DocumentError([f"pdf: cannot be read ({_reason(exc)})"]) from exc
    with pdf:
        try:
            if len(pdf.pages) == 0:
                raise DocumentError(["pdf: has no pages"])
            root = pdf.Root
            names = root.get("/Names")
            if isinstance(names, pikepdf.Dictionary):
                for key in ("/JavaScript", "/EmbeddedFiles"):
                    if key in names:
                        del names[key]
            form = root.get("/AcroForm")
            if isinstance(form, pikepdf.Dictionary) and "/XFA" in form:
                del form["/XFA"]
            if "/Collection" in root:  # a portfolio: a shell around embedded files
                del root["/Collection"]
            # every dictionary reachable from the trailer: catalog, pages, annotations, form
            # fields, outline items, and whatever nests inside them
            for obj in walk(pdf):  # cleaned before its children are visited
                _clean(obj)
            out = io.BytesIO()
            pdf.save(out)
        except DocumentError:
            raise
        except Exception as exc:
            raise DocumentError([f"pdf: cannot be read ({_reason(exc)})"]) from exc
    clean = out.getvalue()
    try:  # what issuing does with it
        PdfWriter().append(PdfReader(io.BytesIO(clean)))
    except Exception as exc:
        raise DocumentError([f"pdf: cannot be appended ({exc})"]) from exc
    return clean


def _image_page(data: bytes) -> bytes:
    """An image centred on an A4 page inside the margins, scaled down to fit, never up."""
    check_image(data)
    img = ImageReader(io.BytesIO(data))
    iw, ih = img.getSize()
    pw, ph = L.PAGE
    box_w, box_h = pw - L.MARGIN_LEFT - L.MARGIN_RIGHT, ph - L.MARGIN_TOP - L.MARGIN_BOTTOM
    scale = min(box_w / iw, box_h / ih, 1.0)
    w, h = iw * scale, ih * scale
    out = io.BytesIO()
    # the initial font: ReportLab sets it on every page, and Helvetica would not be embedded (PDF/A)
    register()
    canvas = Canvas(out, pagesize=L.PAGE, initialFontName=REGULAR)
    canvas.drawImage(img, L.MARGIN_LEFT + (box_w - w) / 2, ph - L.MARGIN_TOP - h, w, h)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def bundle(main: bytes, attachments: list[bytes]) -> bytes:
    """``main`` then each attachment, in order, PDFs sanitised again. A damaged attachment is an
    input error.

    The pages are appended to the main document itself (pikepdf), so its catalog stays whole: the
    structure tree and /MarkInfo (tagged PDF), /Lang, the associated files and the document
    information. An appended page loses its own /StructParents (its numbers belong to another
    file's structure tree and would point into ours)."""
    with pikepdf.open(io.BytesIO(main)) as doc:
        for i, data in enumerate(attachments, 1):
            try:
                page = sanitize_pdf(data) if data.startswith(b"%PDF-") else _image_page(data)
                with pikepdf.open(io.BytesIO(page)) as extra:
                    for p in extra.pages:
                        if "/StructParents" in p:
                            del p.StructParents
                        doc.pages.append(p)
            except DocumentError as exc:
                raise DocumentError([f"attachment {i}: {e}" for e in exc.errors]) from exc
            except Exception as exc:  # pikepdf and PIL raise many types for a damaged file
                raise DocumentError([f"attachment {i}: cannot be read ({exc})"]) from exc
        # the PDF/A pass on the same open file (one save): the claim is kept only if the appended
        # pages pass archival.page_problems (fonts embedded, no CMYK)
        make_pdfa(doc)
        return save_pdfa(doc)
