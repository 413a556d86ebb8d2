"""The document input format: three kinds of JSON document, validated with pydantic.

Limits are here, once: the API and the renderer reject the same oversized input with the same message.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
)

from .. import text

MAX_LINE = 500  # a name, a heading, a subject
MAX_PARAGRAPH = 5000
MAX_SECTIONS = 30
MAX_PARAGRAPHS = 60
MAX_COMMENT = 2000
MAX_ROWS = 2000
MAX_COLUMNS = 12

# text is cleaned by memos.text's rule (controls and invisible characters removed; line breaks
# folded in single-line fields) before its length is checked
Line = text.Line(MAX_LINE)
OptLine = text.Line(MAX_LINE, required=False)
Para = text.Text(MAX_PARAGRAPH)
CellPara = text.Text(MAX_PARAGRAPH, required=False)
IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def _image_file(path: str) -> str:
    """A missing or non-image file is an input error, not a crash half-way through a PDF."""
    try:
        with open(path, "rb") as f:
            head = f.read(8)
    except OSError:
        raise ValueError(f"image file not found: {path}") from None
    if not head.startswith(IMAGE_MAGIC):
        raise ValueError(f"not a PNG or JPEG image: {path}")
    return path


ImagePath = Annotated[str, AfterValidator(_image_file)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Section(_Strict):
    heading: OptLine | None = None
    paragraphs: list[Para] = Field(default_factory=list, max_length=MAX_PARAGRAPHS)
    items: list[Para] = Field(default_factory=list, max_length=MAX_PARAGRAPHS)


class Signer(_Strict):
    name: Line
    position: Line
    signature: ImagePath | None = None  # None prints a blank signing space


class Acting(_Strict):
    kind: Literal["รักษาราชการแทน", "ปฏิบัติราชการแทน", "รักษาการในตำแหน่ง"]
    for_position: Line


class Endorsement(_Strict):
    heading: Line
    comment: text.Text(MAX_COMMENT, required=False) = ""
    name: Line
    position: Line
    acting: Acting | None = None
    date: dt.date | None = None
    signature: ImagePath | None = None


class HistoryStep(_Strict):
    """One step of the printed "ประวัติการพิจารณา": the decision record it stands for is checked
    by its hash (``memos.signing.chain``); the page shows the first 12 hex digits."""

    time: dt.datetime
    decision: Line  # in words: ส่งเสนอ, เห็นชอบ เสนอต่อ, อนุมัติ …
    name: OptLine = ""
    position: OptLine = ""
    acting: Acting | None = None
    hash: Annotated[str, Field(pattern=r"^[0-9a-f]{12}$")]


class Agency(_Strict):
    name: Line
    emblem: ImagePath | None = None  # its space is kept when there is none


# FORMAT.md "Urgency and secrecy": the words printed, as the regulation spells them (ปกติ prints nothing;
# ลับที่สุด stays off electronic systems, so no document of this engine carries it)
Urgency = Literal["", "ด่วน", "ด่วนมาก", "ด่วนที่สุด"]
Secrecy = Literal["", "ลับ", "ลับมาก"]
MAX_COPIES = 30


class MemoDocument(_Strict):
    kind: Literal["memo"]
    urgency: Urgency = ""  # red, at least 32 pt, at the top of the first page
    secrecy: Secrecy = ""  # at the top and bottom of every page, red
    agency: Agency
    unit: Line
    phone: OptLine = ""
    number: OptLine = ""
    date: dt.date | None = None
    subject: Line
    addressee: Line
    sections: list[Section] = Field(min_length=1, max_length=MAX_SECTIONS)
    closing: OptLine = "จึงเรียนมาเพื่อโปรดพิจารณา"
    signer: Signer
    copies: list[Line] = Field(default_factory=list, max_length=MAX_COPIES)  # สำเนาเรียน, under the signature
    endorsements: list[Endorsement] = Field(default_factory=list, max_length=20)
    # the decision record, printed after the endorsements (an issued memo; empty in a preview)
    history: list[HistoryStep] = Field(default_factory=list, max_length=200)


class AnnouncementDocument(_Strict):
    kind: Literal["announcement"]
    agency: Agency
    subject: Line  # MAX_LINE, what the published announcement's subject column holds
    paragraphs: list[Para] = Field(min_length=1, max_length=MAX_PARAGRAPHS)
    closing: OptLine = "จึงประกาศให้ทราบโดยทั่วกัน"
    date: dt.date
    signer: Signer


Cell = CellPara | list[CellPara]


class Table(_Strict):
    caption: OptLine | None = None
    columns: list[Line] = Field(min_length=1, max_length=MAX_COLUMNS)
    widths: list[float] | None = None  # relative column widths; equal when absent
    rows: list[list[Cell]] = Field(max_length=MAX_ROWS)


class ReportDocument(_Strict):
    kind: Literal["report"]
    title: Line
    subtitle: OptLine | None = None
    intro: list[Para] = Field(default_factory=list, max_length=MAX_PARAGRAPHS)
    tables: list[Table] = Field(default_factory=list, max_length=200)


Document = Annotated[MemoDocument | AnnouncementDocument | ReportDocument, Field(discriminator="kind")]
_adapter: TypeAdapter[MemoDocument | AnnouncementDocument | ReportDocument] = TypeAdapter(Document)


class DocumentError(ValueError):
    """Bad input, with one message per bad field, each naming the field by its path."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def _what(err: dict) -> str:
    """One pydantic error in the field's terms (what is wrong and what is expected)."""
    kind, ctx, value = err["type"], err.get("ctx") or {}, err.get("input")
    if kind in ("too_long", "string_too_long"):
        if isinstance(value, str):
            return f"at most {ctx.get('max_length')} characters ({len(value)} given)"
        return f"at most {ctx.get('max_length')} entries ({ctx.get('actual_length', len(value or ()))} given)"
    if kind in ("too_short", "string_too_short"):
        if isinstance(value, str):
            return "must not be empty"
        return f"needs at least {ctx.get('min_length')} entries"
    if kind == "string_pattern_mismatch":
        return "must contain visible text"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "unknown field (not part of this kind of document)"
    if kind == "string_type":
        return "must be text"
    if kind == "list_type":
        return "must be a list"
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return "must be an object"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"must be a date written YYYY-MM-DD, e.g. 2026-03-30 ({value!r} given)"
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing"):
        return "must be a number"
    if kind == "literal_error":
        return f"must be one of {ctx.get('expected', '')} ({value!r} given)"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    return err["msg"]


def format_errors(exc: ValidationError) -> list[str]:
    out: list[str] = []
    for err in exc.errors():
        if err["type"] == "union_tag_invalid":
            out.append("kind: must be one of memo, announcement, report")
            continue
        loc = err["loc"][1:] if err["loc"] and err["loc"][0] in ("memo", "announcement", "report") else err["loc"]
        # a table cell is text or a list of texts: pydantic reports both branches, tagged in the path
        tags = [p for p in loc if isinstance(p, str) and "[" in p]
        if tags and (err["type"] == "list_type" if tags[-1].startswith("list[")
                     else err["type"] == "string_type" and isinstance(err.get("input"), list)):
            continue  # the error of the branch the input did not mean to take
        path = ".".join(str(p) for p in loc if not (isinstance(p, str) and ("[" in p or p in ("str", "list[str]"))))
        message = f"{path or '(document)'}: {_what(err)}"
        if message not in out:
            out.append(message)
    return out


def parse_document(data: object) -> MemoDocument | AnnouncementDocument | ReportDocument:
    if isinstance(data, dict) and "kind" not in data:
        raise DocumentError(["kind: missing; one of memo, announcement, report"])
    try:
        doc = _adapter.validate_python(data)
    except ValidationError as exc:
        raise DocumentError(format_errors(exc)) from None
    if isinstance(doc, ReportDocument):
        for t_index, table in enumerate(doc.tables):
            for r_index, row in enumerate(table.rows):
                if len(row) != len(table.columns):
                    raise DocumentError(
                        [
                            f"tables.{t_index}.rows.{r_index}: has {len(row)} cells, expected {len(table.columns)}"
                        ]
                    )
            if table.widths is not None and len(table.widths) != len(table.columns):
                raise DocumentError([f"tables.{t_index}.widths: expected {len(table.columns)} numbers"])
    return doc
