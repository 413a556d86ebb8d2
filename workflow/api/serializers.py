"""Representations. Memos are read-only here: writes go through ``memos.drafting`` with its own
validation, so these serializers only shape output (and document the input for the schema)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from memos.models import Attachment, Decision, Memo


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


def memo_data(memo: Memo, decisions=None, steps=None, attachments=None, documents=None) -> dict:
    decisions = list(memo.decisions.all()) if decisions is None else decisions
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
        "route": [{"step": s.order, "position": s.position.title} for s in steps],
        "unit": {"id": memo.unit_id, "name": memo.unit.name},
        "phone": memo.phone,
        "subject": memo.subject,
        "addressee": memo.addressee,
        "sections": memo.sections,
        "closing": memo.closing,
        "announcement": memo.announcement,
        "drafter": {"name": memo.drafter.full_name, "position": memo.drafter_position.title},
        "endorsements": [decision_data(d) for d in decisions],
        "attachments": [attachment_data(a) for a in attachments],
        # issued PDFs: their SHA-256 lets a reader check the file they were given
        "documents": [
            {"kind": d.kind, "sha256": d.sha256, "size": d.size, "url": reverse("api-memo-pdf", args=[memo.pk])
             + ("" if d.kind == "memo" else f"?kind={d.kind}")}
            for d in documents
        ],
    }


def memo_summary(memo: Memo) -> dict:
    return {
        "id": memo.pk,
        "state": memo.state,
        "number": memo.number_display or None,
        "date": memo.date.isoformat() if memo.date else None,
        "subject": memo.subject,
        "current_step": memo.current_step,
        "drafter": memo.drafter.full_name,
    }


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField(allow_null=True, required=False)
    paragraphs = serializers.ListField(child=serializers.CharField())
    items = serializers.ListField(child=serializers.CharField(), required=False)


class AnnouncementSerializer(serializers.Serializer):
    subject = serializers.CharField()
    paragraphs = serializers.ListField(child=serializers.CharField())


class MemoInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField(required=False)
    phone = serializers.CharField(required=False)
    subject = serializers.CharField(max_length=500)
    addressee = serializers.CharField(max_length=500)
    sections = SectionSerializer(many=True)
    closing = serializers.CharField(required=False)
    announcement = AnnouncementSerializer(required=False, allow_null=True)


class DecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=[k.value for k in Decision.Kind])
    comment = serializers.CharField(allow_blank=True, max_length=2000)


class MessageSerializer(serializers.Serializer):
    message = serializers.CharField()
    field = serializers.CharField(required=False)
