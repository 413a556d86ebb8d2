"""Representations. Writes go through ``memos.drafting`` and ``workflow.services``, validated by
their pydantic models; the schema documents those models themselves (``PydanticSchema``), and
the serializers below only document the output the functions here build."""

from __future__ import annotations

import functools

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.drainage import set_override
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.plumbing import ResolvedComponent
from rest_framework import serializers

from memos import tracking
from memos.models import (
    Attachment,
    Decision,
    DecisionRecord,
    IssuedDocument,
    Memo,
    MemoReader,
    MemoState,
    Secrecy,
    Urgency,
)
from memos.selectors import MemoHeader


def decision_data(d: Decision) -> dict:
    return {
        "round": d.round,
        "step": d.step,
        "position": d.position_title,
        "name": d.official_name,
        "capacity": d.capacity,
        "acting": {
            "kind": d.acting_kind,
            "for_position": d.signing_for_title,
            "own_position": d.own_position_title,
        }
        if d.acting_kind
        else None,
        "comment": d.comment,
        "decision": d.decision,
        "time": timezone.localtime(d.decided_at).isoformat(),
        "superseded": d.superseded,
    }


def attachment_data(a: Attachment) -> dict:
    """``publish``: whether the file is appended to the public announcement (else only the
    memo's readers see it)."""
    return {"id": a.pk, "name": a.name, "content_type": a.content_type, "size": a.size, "publish": a.publish}


class AttachmentSerializer(serializers.Serializer):
    """The shape of ``attachment_data``, for the schema."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    content_type = serializers.ChoiceField(choices=["application/pdf", "image/png", "image/jpeg"])
    size = serializers.IntegerField()
    publish = serializers.BooleanField()


class AttachmentUploadSerializer(serializers.Serializer):
    """The multipart input of ``POST /api/memos/{id}/attachments/``, for the schema."""

    file = serializers.FileField(help_text="PDF, PNG or JPEG")
    publish = serializers.BooleanField(
        required=False, default=False,
        help_text="append the file to the public announcement PDF (default: private to the memo's readers)",
    )


def reader_data(r: MemoReader) -> dict:
    """A CC reader (สำเนาเรียน): whom it names, whether told and read, and their note (not part of
    the signed chain)."""
    return {
        "position": {"id": r.position_id, "title": r.position.title} if r.position_id else None,
        "official": {"id": r.official_id, "name": r.official.full_name} if r.official_id else None,
        "notified": r.notified_at is not None,
        "read_at": timezone.localtime(r.read_at).isoformat() if r.read_at else None,
        "note": r.note,
        "noted_at": timezone.localtime(r.noted_at).isoformat() if r.noted_at else None,
    }


def record_data(r: DecisionRecord) -> dict:
    return {"seq": r.seq, "action": r.action, "time": r.at.isoformat(), "sha256": r.sha256,
            "prev_sha256": r.prev_sha256, "signed": bool(r.signature)}


def memo_data(memo: Memo, decisions=None, steps=None, attachments=None, documents=None, readers=None) -> dict:
    decisions = list(memo.decisions.all()) if decisions is None else decisions
    if readers is None:
        readers = list(memo.readers.select_related("position", "official"))
    documents = list(memo.documents.defer("pdf")) if documents is None else documents
    steps = list(memo.steps.select_related("position")) if steps is None else steps
    attachments = list(memo.attachments.all()) if attachments is None else attachments
    return {
        "id": memo.pk,
        "state": memo.state,
        "number": memo.number_display or None,
        "date": memo.date.isoformat() if memo.date else None,
        "round": memo.round,
        "current_step": memo.current_step,
        "route": route_data(memo, steps, decisions),
        "memo_type": memo.memo_type_id,
        "consultants": [p.pk for p in memo.consultants.all()],
        "unit": {"id": memo.unit_id, "name": memo.unit.name},
        "phone": memo.phone,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "announcement": memo.announcement,
        "urgency": memo.urgency,
        "secrecy": memo.secrecy,
        "readers": [reader_data(r) for r in readers],
        "drafter": {"name": memo.drafter.full_name, "position": memo.drafter_position.title},
        "endorsements": [decision_data(d) for d in decisions],
        "attachments": [attachment_data(a) for a in attachments],
        # issued PDFs: their SHA-256 lets a reader check the file they were given
        "documents": [
            {"kind": d.kind, "sha256": d.sha256, "size": d.size, "url": reverse("api-memo-pdf", args=[memo.pk])
             + ("" if d.kind == "memo" else f"?kind={d.kind}")}
            for d in documents
        ],
        # the decision record (issue 11): each link's hash, checkable against the issued PDF's
        "records": [record_data(r) for r in memo.records.all()],
    }


def _when(value) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def participant_data(p: tracking.Participant) -> dict:
    return {"position": p.position, "position_id": p.position_id, "status": p.status, "official": p.official, "capacity": p.capacity,
            "acting": p.acting, "decision": p.decision, "decided_at": _when(p.decided_at),
            "waiting_since": _when(p.waiting_since)}


def route_data(memo: Memo, steps: list, decisions: list) -> list[dict]:
    """The route with each step's status (``tracking.route_status``). ``step`` and ``position`` are
    the fields the route always had; the rest is where the memo is. The step's own official,
    capacity and times are its (first) participant's; a step of several positions lists each in
    ``participants``."""
    if memo.round == 0:
        return []  # a draft has no route of its own yet
    result = []
    for s in tracking.route_status(memo, steps, decisions):
        first = s.participants[0] if s.participants else tracking.Participant(position="", status=s.status)
        result.append({
            "step": s.order, "position": s.position, "position_id": s.position_id,
            "consultation": s.consultation, "status": s.status, "official": first.official,
            "capacity": first.capacity, "acting": first.acting, "decided_at": _when(first.decided_at),
            "waiting_since": _when(first.waiting_since),
            "participants": [participant_data(p) for p in s.participants],
        })
    return result


def memo_summary(memo: Memo | MemoHeader, overdue: bool | None = None) -> dict:
    """A list row of the API. ``overdue``: an open step past its deadline; from the ``overdue``
    annotation (``deadlines.with_overdue``) unless given."""
    if overdue is None:
        overdue = bool(getattr(memo, "overdue", False))
    header = memo if isinstance(memo, MemoHeader) else MemoHeader.of(memo)
    return {
        "id": header.id,
        "state": header.state,
        "number": header.number_display or None,
        "date": header.date.isoformat() if header.date else None,
        "subject": header.subject,
        "current_step": header.current_step,
        "drafter": header.drafter_name,
        "urgency": header.urgency,
        "secrecy": header.secrecy,
        "overdue": overdue,
    }


# --- The schema: requests from the pydantic models validation uses; responses as they are built above


class PydanticSchema(OpenApiSerializerExtension):
    """A pydantic model in ``extend_schema`` is documented by its own JSON Schema: in validation
    mode for a request (what the API accepts is exactly what the model validates), in
    serialization mode for a response. Replaces drf-spectacular's contrib extension, which uses
    serialization mode for both."""

    target_class = "pydantic.BaseModel"
    match_subclasses = True
    priority = 1

    def _suffix(self, direction) -> str:
        return "Input" if direction == "request" and not self.target.__name__.endswith(("Input", "Patch")) else ""

    def get_name(self, auto_schema, direction):
        set_override(self.target, "suppress_collision_warning", True)
        return self.target.__name__ + self._suffix(direction)

    def map_serializer(self, auto_schema, direction):
        suffix = "Input" if direction == "request" else ""
        schema = self.target.model_json_schema(
            ref_template="#/components/schemas/{model}" + suffix,
            mode="validation" if direction == "request" else "serialization",
        )
        for name, sub in schema.pop("$defs", {}).items():
            auto_schema.registry.register_on_missing(
                ResolvedComponent(name=name + suffix, type=ResolvedComponent.SCHEMA, object=name + suffix,
                                  schema=_oas30(sub))
            )
        return _oas30(schema)


def _oas30(node):
    """pydantic writes JSON Schema 2020-12; the API's OpenAPI 3.0 spells two things differently:
    ``{"anyOf": [X, {"type": "null"}]}`` is X with ``nullable``, and ``const`` is a one-value enum."""
    if isinstance(node, list):
        return [_oas30(n) for n in node]
    if not isinstance(node, dict):
        return node
    node = {k: _oas30(v) for k, v in node.items()}
    if "const" in node:
        node["enum"] = [node.pop("const")]
    options = node.get("anyOf")
    if options and {"type": "null"} in options:
        rest = [o for o in options if o != {"type": "null"}]
        node.pop("anyOf")
        if len(rest) == 1 and "$ref" not in rest[0]:
            node = {**rest[0], **node}
        else:
            node["anyOf" if len(rest) > 1 else "allOf"] = rest
        node["nullable"] = True
    return node


class MessageSerializer(serializers.Serializer):
    """Every error: 400 invalid input, 401 not logged in, 403 not allowed, 404 unknown or not
    visible, 409 the memo's or task's state refuses it."""

    message = serializers.CharField()
    field = serializers.CharField(required=False, help_text="the input at fault, when there is one")


ROUTE_STATUSES = tracking.ROUTE_STATUSES


class RouteParticipantSerializer(serializers.Serializer):
    """``participant_data``: one position of a step, with its own status."""

    position = serializers.CharField()
    position_id = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=ROUTE_STATUSES)
    official = serializers.CharField(allow_null=True, help_text="who decided, or who has the task now")
    capacity = serializers.CharField(allow_null=True, help_text="the post as signed, with the acting kind")
    acting = serializers.BooleanField()
    decision = serializers.ChoiceField(choices=Decision.Kind.values, allow_null=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    waiting_since = serializers.DateTimeField(allow_null=True, help_text="when the open task reached them")


class RouteStepSerializer(serializers.Serializer):
    """``route_data``: a step of the route and where the memo is on it."""

    step = serializers.IntegerField()
    position = serializers.CharField()
    position_id = serializers.IntegerField(allow_null=True, help_text="the (first) position of the step")
    consultation = serializers.BooleanField(help_text="a parallel consultation: several positions, all comment")
    status = serializers.ChoiceField(choices=ROUTE_STATUSES)
    official = serializers.CharField(allow_null=True)
    capacity = serializers.CharField(allow_null=True)
    acting = serializers.BooleanField()
    decided_at = serializers.DateTimeField(allow_null=True)
    waiting_since = serializers.DateTimeField(allow_null=True)
    participants = RouteParticipantSerializer(many=True)


class PhraseSerializer(serializers.Serializer):
    text = serializers.CharField()
    own = serializers.BooleanField(help_text="saved by this official (else one of the standard phrases)")


class PhraseListSerializer(serializers.Serializer):
    results = PhraseSerializer(many=True)


class PhraseInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)


class NamedUnitSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MemoSectionSerializer(serializers.Serializer):
    heading = serializers.CharField(allow_null=True)
    paragraphs = serializers.ListField(child=serializers.CharField())
    items = serializers.ListField(child=serializers.CharField())


class AnnouncementDraftSerializer(serializers.Serializer):
    subject = serializers.CharField()
    paragraphs = serializers.ListField(child=serializers.CharField())


class DrafterSerializer(serializers.Serializer):
    name = serializers.CharField()
    position = serializers.CharField()


class MemoActingSerializer(serializers.Serializer):
    kind = serializers.CharField()
    for_position = serializers.CharField()
    own_position = serializers.CharField()


class MemoEndorsementSerializer(serializers.Serializer):
    round = serializers.IntegerField()
    step = serializers.IntegerField()
    position = serializers.CharField()
    name = serializers.CharField()
    capacity = serializers.CharField()
    acting = MemoActingSerializer(allow_null=True)
    comment = serializers.CharField(allow_blank=True)
    decision = serializers.ChoiceField(choices=Decision.Kind.values)
    time = serializers.DateTimeField()
    superseded = serializers.BooleanField()


class IssuedDocumentSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IssuedDocument.Kind.choices)
    sha256 = serializers.CharField()
    size = serializers.IntegerField()
    url = serializers.CharField()


class DecisionRecordSerializer(serializers.Serializer):
    seq = serializers.IntegerField()
    action = serializers.CharField()
    time = serializers.DateTimeField()
    sha256 = serializers.CharField()
    prev_sha256 = serializers.CharField()
    signed = serializers.BooleanField()


class ReaderPositionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class ReaderOfficialSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ReaderSerializer(serializers.Serializer):
    """``reader_data``."""

    position = ReaderPositionSerializer(allow_null=True)
    official = ReaderOfficialSerializer(allow_null=True)
    notified = serializers.BooleanField()
    read_at = serializers.DateTimeField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    noted_at = serializers.DateTimeField(allow_null=True)


class MemoSerializer(serializers.Serializer):
    """``memo_data``."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=MemoState.choices)
    number = serializers.CharField(allow_null=True)
    date = serializers.DateField(allow_null=True)
    round = serializers.IntegerField()
    current_step = serializers.IntegerField(allow_null=True)
    route = RouteStepSerializer(many=True)
    memo_type = serializers.CharField(help_text="a memo type's code (general, procurement …): it picks the route")
    consultants = serializers.ListField(
        child=serializers.IntegerField(), help_text="positions the drafter added to the route's consultation step"
    )
    unit = NamedUnitSerializer()
    phone = serializers.CharField(allow_blank=True)
    subject = serializers.CharField()
    addressee = serializers.CharField()
    sections = MemoSectionSerializer(many=True)
    closing = serializers.CharField(allow_blank=True)
    announcement = AnnouncementDraftSerializer(allow_null=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices)
    readers = ReaderSerializer(many=True)
    drafter = DrafterSerializer()
    endorsements = MemoEndorsementSerializer(many=True)
    attachments = AttachmentSerializer(many=True)
    documents = IssuedDocumentSerializer(many=True)
    records = DecisionRecordSerializer(many=True)


class MemoSummarySerializer(serializers.Serializer):
    """``memo_summary``."""

    id = serializers.IntegerField()
    state = serializers.ChoiceField(choices=MemoState.choices)
    number = serializers.CharField(allow_null=True)
    date = serializers.DateField(allow_null=True)
    subject = serializers.CharField()
    current_step = serializers.IntegerField(allow_null=True)
    drafter = serializers.CharField()
    urgency = serializers.ChoiceField(choices=Urgency.choices)
    secrecy = serializers.ChoiceField(choices=Secrecy.choices)
    overdue = serializers.BooleanField(help_text="an open review step is past its deadline")


class MemoListSerializer(serializers.Serializer):
    results = MemoSummarySerializer(many=True)


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    created = serializers.DateTimeField()
    due = serializers.DateTimeField(allow_null=True, help_text="the step's deadline (working hours by urgency)")
    memo = MemoSummarySerializer()


class TaskListSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = TaskSerializer(many=True)


class DecisionResultSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.Kind.values)
    memo = MemoSummarySerializer()


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    name = serializers.CharField(allow_null=True)
    position = serializers.CharField(allow_null=True)
    is_staff = serializers.BooleanField()


# --- Query parameters: validated by these serializers, and documented by them

MAX_OFFSET = 10**9


class PageParams(serializers.Serializer):
    limit = serializers.IntegerField(min_value=1, max_value=200, default=50)
    offset = serializers.IntegerField(min_value=0, max_value=MAX_OFFSET, default=0)


class MemoListParams(PageParams):
    state = serializers.ChoiceField(choices=MemoState.choices, required=False)
    # search (memos.search): number as printed, or words of subject, body and comments
    q = serializers.CharField(required=False, min_length=1, max_length=200, trim_whitespace=False)
    date_from = serializers.DateField(required=False)
    date_to = serializers.DateField(required=False)
    drafter = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)
    unit = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1)


class PdfParams(serializers.Serializer):
    kind = serializers.ChoiceField(choices=IssuedDocument.Kind.choices, default=IssuedDocument.Kind.MEMO)


@functools.cache
def _defaults(params: type[serializers.Serializer]) -> dict:
    """What ``params`` validates an empty query string to (its defaults), worked out once."""
    s = params(data={})
    s.is_valid(raise_exception=True)
    return dict(s.validated_data)


def query(params: type[serializers.Serializer], request) -> dict:
    """Validated query parameters (a 400 naming the parameter otherwise). Without any, the
    defaults (``GET /api/tasks/``: building the serializer twice cost more than the page's query)."""
    if not request.query_params:
        return dict(_defaults(params))
    for name in params().fields:  # DRF reads "?state=" as "not given"; the schema calls it invalid
        if request.query_params.get(name) == "":
            raise serializers.ValidationError({name: ["ต้องระบุค่า"]})
    s = params(data=request.query_params)
    s.is_valid(raise_exception=True)
    return s.validated_data
