"""``/api/verify/``: the verification as JSON, for other systems (no login, no token).

``GET ?code=XXXXX-XXXXX`` or ``POST`` with ``code`` (JSON or form) or ``file`` (multipart PDF).
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from memos.verification import BadPdf, Result, by_code, by_pdf
from web.api.serializers import MessageSerializer  # one "Message" component in the schema

from .uploads import UploadRefused, declared_too_large, read_pdf, too_large


class VerifySignatureSerializer(serializers.Serializer):
    status = serializers.ChoiceField(["authentic", "modified", "unknown"])
    reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="signature_broken, partial_coverage, changed_after_signing, untrusted_signer, "
        "timestamp_invalid, no_signature, signature_unreadable, decision_record_broken (the attached "
        "decision record has a broken link or a record the agency key did not sign)",
    )
    signed = serializers.BooleanField()
    intact = serializers.BooleanField(help_text="the signed bytes are unchanged")
    valid = serializers.BooleanField(help_text="the signature value verifies")
    trusted = serializers.BooleanField(help_text="the signer's certificate chains to the configured root")
    whole_revision = serializers.BooleanField()
    changed_after = serializers.CharField(help_text="changes after signing: none, lta_updates (validation data), or worse")
    signer = serializers.CharField(help_text="the certificate's subject")
    signer_name = serializers.CharField(help_text="the approver")
    reason = serializers.CharField(help_text="approval, position and capacity")
    location = serializers.CharField(help_text="the agency")
    signing_time = serializers.DateTimeField(allow_null=True)
    timestamped = serializers.BooleanField()
    timestamp_valid = serializers.BooleanField()
    ltv = serializers.BooleanField(help_text="chain and revocation data embedded (PAdES B-LT)")
    signatures = serializers.IntegerField()


class VerifyResultSerializer(serializers.Serializer):
    status = serializers.ChoiceField(["authentic", "modified", "unknown"])
    kind = serializers.CharField(help_text='"memo", "announcement", or "" when not a document issued here')
    code = serializers.CharField()
    document = serializers.DictField(
        help_text="what the agency makes public: number, subject, date, agency; approvers "
        "(name, position, capacity) for announcements"
    )
    signature = VerifySignatureSerializer()


RESPONSES = {
    200: VerifyResultSerializer,
    400: OpenApiResponse(MessageSerializer, description="no code or file, not a PDF, or too large"),
    404: OpenApiResponse(MessageSerializer, description="unknown code"),
}


def _bad(message: str) -> Response:
    return Response({"message": message}, status=400)


class VerifyView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def _answer(self, result: Result | None) -> Response:
        if result is None:
            return Response({"message": "ไม่พบเอกสารที่มีรหัสตรวจสอบนี้"}, status=404)
        return Response(result.as_dict())

    @extend_schema(
        summary="Verify an issued document by its code",
        parameters=[OpenApiParameter("code", str, required=True, description="the code printed on the document")],
        responses=RESPONSES,
    )
    def get(self, request):
        if "code" not in request.query_params:
            return _bad("กรุณาระบุรหัสตรวจสอบ (code)")
        return self._answer(by_code(request.query_params["code"].strip()))  # "" matches nothing: 404

    @extend_schema(
        summary="Verify an issued document by its code or its PDF",
        request={
            "multipart/form-data": inline_serializer("VerifyUpload", {"file": serializers.FileField()}),
            "application/json": inline_serializer("VerifyCode", {"code": serializers.CharField()}),
        },
        responses=RESPONSES,
    )
    def post(self, request):
        if declared_too_large(request._request):
            return _bad(too_large())
        data = request.data
        if not hasattr(data, "get"):  # a JSON array or scalar
            return _bad("ส่งรหัสตรวจสอบ (code) หรือไฟล์ PDF (file)")
        upload = request.FILES.get("file") if request.content_type.startswith("multipart/") else None
        if upload is None and "code" in data:
            return self._answer(by_code(str(data.get("code") or "").strip()))
        try:
            return self._answer(by_pdf(read_pdf(request._request, upload)))
        except UploadRefused as exc:
            return _bad(str(exc))
        except BadPdf:
            return _bad("เปิดไฟล์ PDF นี้ไม่ได้ (ไฟล์เสียหายหรือไม่ครบ)")
