"""API for the register book and self-service (issue 13 items 4 and 6). Thin, like views.py.

- ``GET /api/register/{year}/`` the book of Buddhist-era ``year`` (สารบรรณ role): ``?limit=&offset=``;
  ``GET /api/register/{year}/{xlsx|csv|pdf}/`` the same rows as a file.
- ``GET|PUT /api/me/signature`` (PUT: multipart ``file``, or JSON ``{"image": "data:image/png;base64,…"}``).
- ``GET|POST /api/me/absences/`` (POST ``{"start", "end", "note"}``).
"""

from __future__ import annotations

from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from memos import absence, register_export, signature
from memos.clerk import is_clerk, register_memos
from memos.errors import InvalidInput, NotAllowed, NotFound

from .serializers import MessageSerializer, PageParams, query
from .views import ERRORS, READ_ERRORS, JSONBodyParser

MAX_YEAR_BE = 3000


class RegisterLine(serializers.Serializer):
    id = serializers.IntegerField()
    register_no = serializers.IntegerField(help_text="เลขทะเบียนส่ง")
    number = serializers.CharField(help_text="ที่ (e.g. กบ 52401/1)")
    date = serializers.DateField(allow_null=True, help_text="ลงวันที่")
    from_ = serializers.CharField(help_text="จาก (the drafting unit)")
    to = serializers.CharField(help_text="ถึง (the addressee)")
    subject = serializers.CharField()
    state = serializers.CharField()
    action = serializers.CharField(help_text="การปฏิบัติ (the state in words)")
    remarks = serializers.CharField(allow_blank=True, help_text="หมายเหตุ")

    def get_fields(self):
        fields = super().get_fields()
        fields["from"] = fields.pop("from_")
        return fields


RegisterPage = inline_serializer(
    "RegisterPage", {"year_be": serializers.IntegerField(), "count": serializers.IntegerField(),
                     "results": RegisterLine(many=True)},
)
FORBIDDEN = {403: OpenApiResponse(MessageSerializer, description="not a clerk (สารบรรณ)")}


def _clerk(request) -> None:
    if not is_clerk(request.user):
        raise NotAllowed("เฉพาะผู้มีหน้าที่สารบรรณ")


def _year(year: int) -> int:
    if not 2400 <= year <= MAX_YEAR_BE:
        raise InvalidInput("ปีเป็นปีพุทธศักราช เช่น 2569", field="year")
    return year


def _line(row: dict) -> dict:
    return {**row, "date": row["date"].isoformat() if row["date"] else None}


class RegisterView(APIView):
    @extend_schema(operation_id="register_list", parameters=[PageParams],
                   responses={200: RegisterPage, **ERRORS, **FORBIDDEN})
    def get(self, request, year: int):
        _clerk(request)
        year_be = _year(year)
        params = query(PageParams, request)
        qs = register_export.book_queryset(year_be, memos=register_memos(request.user))
        offset, limit = params["offset"], params["limit"]
        rows = register_export.rows_of(qs[offset : offset + limit])
        return Response({"year_be": year_be, "count": qs.count(), "results": [_line(r) for r in rows]})


class RegisterExportView(APIView):
    @extend_schema(
        operation_id="register_export",
        responses={(200, "application/octet-stream"): OpenApiResponse(OpenApiTypes.BINARY, description="XLSX, CSV or PDF"),
                   **ERRORS, **FORBIDDEN},
    )
    def get(self, request, year: int, fmt: str):
        _clerk(request)
        year_be = _year(year)
        if fmt not in ("xlsx", "csv", "pdf"):
            raise NotFound("รูปแบบไฟล์ต้องเป็น xlsx csv หรือ pdf")
        from web.clerk import EXPORTS

        rows = register_export.book_rows(year_be, memos=register_memos(request.user))
        if fmt == "xlsx":
            body = register_export.to_xlsx(rows, year_be)
        elif fmt == "csv":
            body = register_export.to_csv(rows)
        else:
            body = register_export.to_pdf(rows, year_be)
        content_type, ext = EXPORTS[fmt]
        response = HttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="register-{year_be}.{ext}"'
        return response


SignatureInfo = inline_serializer(
    "SignatureInfo", {"has_signature": serializers.BooleanField(),
                      "width": serializers.IntegerField(allow_null=True),
                      "height": serializers.IntegerField(allow_null=True),
                      "url": serializers.CharField(allow_null=True)},
)


def _official(request):
    official = getattr(request.user, "official", None)
    if official is None:
        raise NotFound("ผู้ใช้นี้ไม่ใช่เจ้าหน้าที่")
    return official


def _signature(official) -> dict:
    from django.urls import reverse

    info = signature.signature_info(official)
    return {**info, "url": reverse("me:signature") if info["has_signature"] else None}


class SignatureView(APIView):
    parser_classes = [JSONBodyParser, MultiPartParser]

    @extend_schema(operation_id="me_signature_read", responses={200: SignatureInfo, **READ_ERRORS})
    def get(self, request):
        return Response(_signature(_official(request)))

    @extend_schema(
        operation_id="me_signature_update",
        request={
            "multipart/form-data": inline_serializer("SignatureUpload", {"file": serializers.FileField()}),
            "application/json": inline_serializer("SignatureDrawn", {"image": serializers.CharField(
                help_text="data:image/png;base64,…")}),
        },
        responses={200: SignatureInfo, **ERRORS},
    )
    def put(self, request):
        official = _official(request)
        upload = request.FILES.get("file") if hasattr(request, "FILES") else None
        if upload is not None:
            if upload.size > signature.MAX_BYTES:
                raise InvalidInput("ไฟล์ลายมือชื่อต้องไม่เกิน 1 MB", field="file")
            data = upload.read()
        elif isinstance(request.data, dict) and isinstance(request.data.get("image"), str):
            data = signature.decode_data_url(request.data["image"])
        else:
            raise InvalidInput("ส่งไฟล์ภาพ (file) หรือภาพที่วาด (image)", field="file")
        signature.set_signature(official, data)
        return Response(_signature(official))


class AbsenceInput(serializers.Serializer):
    start = serializers.DateField(help_text="first day away (YYYY-MM-DD)")
    end = serializers.DateField(help_text="last day away")
    note = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")


class AbsenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    position = serializers.CharField()
    acting_official = serializers.CharField()
    kind = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    superior = serializers.CharField(allow_null=True)


def _absence(row, superior=None) -> dict:
    return {
        "id": row.pk, "position": row.position.title, "acting_official": row.official.full_name,
        "kind": row.kind, "start": row.start.isoformat(), "end": row.end.isoformat() if row.end else None,
        "superior": superior.full_name if superior else None,
    }


class AbsenceView(APIView):
    parser_classes = [JSONBodyParser]

    @extend_schema(operation_id="me_absences_list",
                   responses={200: inline_serializer("Absences", {"results": AbsenceOut(many=True)}), **READ_ERRORS})
    def get(self, request):
        official = _official(request)
        return Response({"results": [_absence(r) for r in absence.my_absences(official)[:50]]})

    @extend_schema(operation_id="me_absences_create", request=AbsenceInput,
                   responses={201: AbsenceOut, **ERRORS})
    def post(self, request):
        _official(request)
        if not isinstance(request.data, dict):
            raise InvalidInput("ข้อมูลต้องเป็นออบเจกต์ JSON")
        s = AbsenceInput(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        made = absence.declare_absence(request.user, d["start"], d["end"], d.get("note", ""))
        return Response(_absence(made.assignment, made.superior), status=status.HTTP_201_CREATED)
