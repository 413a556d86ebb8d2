"""Thin API views: parse, call a service, respond."""

from __future__ import annotations

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from django.db.models import Prefetch
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.exceptions import ParseError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.authentication import TokenAuthentication, purge_expired
from memos import deadlines, drafting, listing, phrases, readers, search, text, uploads
from memos.document import memo_document
from memos.documents.schema import MemoDocument
from memos.errors import InvalidInput, NotFound
from memos.models import DecisionRecord, IssuedDocument, Memo, MemoReader, MemoStep
from memos.selectors import MemoHeader, header_values
from web.pdf import pdf_response
from workflow import selectors as task_selectors
from workflow import services

from .serializers import (
    AttachmentSerializer,
    AttachmentUploadSerializer,
    DecisionResultSerializer,
    MemoListParams,
    MemoListSerializer,
    MemoSerializer,
    MeSerializer,
    MessageSerializer,
    PageParams,
    PdfParams,
    PhraseInputSerializer,
    PhraseListSerializer,
    PhraseSerializer,
    ReaderSerializer,
    TaskListSerializer,
    attachment_data,
    memo_data,
    memo_summary,
    query,
    reader_data,
)

ERRORS = {
    400: OpenApiResponse(MessageSerializer, description="invalid input"),
    401: OpenApiResponse(MessageSerializer, description="not logged in"),
    403: OpenApiResponse(MessageSerializer, description="not yours"),
    404: OpenApiResponse(MessageSerializer, description="unknown or not visible"),
}
CONFLICT = {409: OpenApiResponse(MessageSerializer, description="the memo's or task's state refuses it")}
READ_ERRORS = {code: ERRORS[code] for code in (401, 404)}


class JSONBodyParser(JSONParser):
    """JSON only (no form or multipart bodies for these endpoints), and JSON nested too deep for
    the decoder is a 400 like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError("ข้อมูล JSON ซ้อนกันลึกเกินไป") from None
        except ParseError as exc:  # DRF's message is English: "JSON parse error - Expecting …"
            raise ParseError(f"ข้อมูล JSON ไม่ถูกต้อง ({exc.detail})") from None


@csrf_exempt  # answers 404 to every method; nothing to protect, and a CSRF 403 page would be HTML
def not_found(request, *args, **kwargs) -> JsonResponse:
    """Any other path under /api/ (an id that is not a number, say): JSON, like every API answer."""
    return JsonResponse({"message": "ไม่พบข้อมูล"}, status=404, json_dumps_params={"ensure_ascii": False})


def _body(request: Request) -> dict:
    if not isinstance(request.data, dict):
        raise InvalidInput("ข้อมูลต้องเป็นออบเจกต์ JSON")
    return request.data


def _detail(memo_id: int, user) -> dict:
    """One visibility-checked fetch with everything the representation needs."""
    try:
        memo = (
            services.visible_memos(user)
            .select_related("agency", "unit", "drafter", "drafter_position")
            .prefetch_related(
                "decisions",
                "attachments",
                Prefetch("steps", queryset=MemoStep.objects.select_related("position")),
                Prefetch("documents", queryset=IssuedDocument.objects.defer("pdf")),
                Prefetch("records", queryset=DecisionRecord.objects.defer("fields")),
                Prefetch("readers", queryset=MemoReader.objects.select_related("position", "official")),
            )
            .get(pk=memo_id)
        )
    except Memo.DoesNotExist:
        raise NotFound("ไม่พบบันทึกข้อความ") from None
    return memo_data(
        memo, list(memo.decisions.all()), list(memo.steps.all()), list(memo.attachments.all()),
        list(memo.documents.all()), list(memo.readers.all()),
    )


class TokenView(APIView):
    """A new API token per login (``{"token": …, "expiry": …}``); see accounts/authentication.py for
    its lifetime. Failed attempts count towards the lockout (django-axes): the authenticate call gets
    the Django request, so a lockout becomes axes' 429 ``{"message": …}`` (accounts/lockout.py)."""

    authentication_classes: list = []  # logging in needs no credentials (and no CSRF token)
    permission_classes = [AllowAny]
    parser_classes = [JSONBodyParser]  # JSON only, as the schema says; too-deep JSON is a 400

    @extend_schema(
        request=inline_serializer(
            "Login", {"username": serializers.CharField(), "password": serializers.CharField()}
        ),
        responses={
            200: inline_serializer(
                "Token", {"token": serializers.CharField(), "expiry": serializers.DateTimeField()}
            ),
            400: OpenApiResponse(MessageSerializer, description="wrong username or password"),
            429: OpenApiResponse(MessageSerializer, description="too many failed logins: locked for a while"),
        },
    )
    def post(self, request):
        body = _body(request)
        credentials = {}
        for field in ("username", "password"):
            value = body.get(field)
            if not isinstance(value, str) or not value or "\x00" in value:
                raise InvalidInput(f"{field}: ต้องระบุเป็นข้อความ", field=field)
            credentials[field] = value
        user = authenticate(request._request, **credentials)
        if user is None:
            raise InvalidInput("ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง")
        purge_expired(user)
        token, key = AuthToken.objects.create(user)
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response({"token": key, "expiry": token.expiry})


class LogoutView(APIView):
    """Revokes the token this request carries (other tokens of the user stay valid)."""

    authentication_classes = [TokenAuthentication]

    @extend_schema(request=None, responses={204: None, 401: OpenApiResponse(MessageSerializer)})
    def post(self, request):
        request.auth.delete()
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: MeSerializer, **READ_ERRORS})
    def get(self, request):
        official = getattr(request.user, "official", None)
        position = official.position_on(timezone.localdate()) if official else None
        return Response(
            {
                "username": request.user.get_username(),
                "name": official.full_name if official else None,
                "position": position.title if position else None,
                "is_staff": request.user.is_staff,
            }
        )


class MemoListView(APIView):
    parser_classes = [JSONBodyParser]

    @extend_schema(operation_id="memos_list", parameters=[MemoListParams], responses={200: MemoListSerializer, **ERRORS})
    def get(self, request):
        params = query(MemoListParams, request)
        criteria = search.Criteria(
            q=text.clean_line(params.get("q", "")), date_from=params.get("date_from"), date_to=params.get("date_to"),
            drafter=params.get("drafter"), unit=params.get("unit"), state=params.get("state", ""),
        )
        # a page, no count: an official who has seen 100,000 memos does not wait for them to be counted
        memos = listing.VisibleMemos(
            request.user, criteria, lambda qs: deadlines.with_overdue(qs).values("overdue", **header_values()))
        offset, limit = params["offset"], params["limit"]
        rows = memos[offset : offset + limit]
        return Response({"results": [memo_summary(MemoHeader.from_row(r), r["overdue"]) for r in rows]})

    @extend_schema(request=drafting.MemoInput, responses={201: MemoSerializer, **ERRORS})
    def post(self, request):
        memo = drafting.create_memo(request.user, _body(request))
        return Response(_detail(memo.pk, request.user), status=status.HTTP_201_CREATED)


class MemoDetailView(APIView):
    parser_classes = [JSONBodyParser]

    @extend_schema(responses={200: MemoSerializer, **READ_ERRORS})
    def get(self, request, memo_id: int):
        readers.mark_read(request.user, Memo(pk=memo_id))  # only a told reader's own row
        return Response(_detail(memo_id, request.user))

    @extend_schema(request=drafting.MemoPatch, responses={200: MemoSerializer, **ERRORS, **CONFLICT})
    def patch(self, request, memo_id: int):
        services.get_visible_memo(request.user, memo_id)
        memo = drafting.update_memo(request.user, memo_id, _body(request))
        return Response(_detail(memo.pk, request.user))

    @extend_schema(
        request=None,
        description="Delete an unnumbered draft, with its attachments and history (the drafter only). "
        "A memo that was submitted (numbered) is never deleted: 409.",
        responses={204: None, **ERRORS, **CONFLICT},
    )
    def delete(self, request, memo_id: int):
        services.get_visible_memo(request.user, memo_id)
        drafting.delete_draft(request.user, memo_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MemoCopyView(APIView):
    @extend_schema(
        request=None,
        description="A new draft of the caller's with the memo's subject, addressee, sections, closing and "
        "announcement (any memo the caller may see, issued ones included). Attachments are not copied.",
        responses={201: MemoSerializer, **ERRORS},
    )
    def post(self, request, memo_id: int):
        memo = drafting.copy_memo(request.user, services.get_visible_memo(request.user, memo_id))
        return Response(_detail(memo.pk, request.user), status=status.HTTP_201_CREATED)


class MemoDocumentView(APIView):
    """The memo as the typesetting engine's ``"kind": "memo"`` JSON document."""

    @extend_schema(responses={200: MemoDocument, **READ_ERRORS})
    def get(self, request, memo_id: int):
        return Response(memo_document(services.get_visible_memo(request.user, memo_id)))


class MemoPdfView(APIView):
    """The issued PDF (``?kind=announcement`` for the announcement), for those who may see the memo."""

    @extend_schema(
        parameters=[PdfParams],
        responses={(200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"), **ERRORS},
    )
    def get(self, request, memo_id: int):
        kind = query(PdfParams, request)["kind"]
        return pdf_response(services.issued_pdf(request.user, memo_id, kind), f"{kind}-{memo_id}.pdf")


class ReaderNoteView(APIView):
    """A CC reader's note on the memo (``{"note": …}``, replacing their earlier one): theirs, shown
    with the memo, not part of the signed decision chain. 404 for anyone not a told reader."""

    parser_classes = [JSONBodyParser]

    @extend_schema(request=readers.NoteInput, responses={200: ReaderSerializer, **ERRORS})
    def post(self, request, memo_id: int):
        memo = services.get_visible_memo(request.user, memo_id)
        r = readers.leave_note(request.user, memo, _body(request))
        return Response(reader_data(r))


class MemoSubmitView(APIView):
    @extend_schema(request=None, responses={200: MemoSerializer, **ERRORS, **CONFLICT})
    def post(self, request, memo_id: int):
        memo = services.submit(request.user, memo_id)
        return Response(_detail(memo.pk, request.user))


class AttachmentView(APIView):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: AttachmentSerializer, **ERRORS, **CONFLICT},
    )
    def post(self, request, memo_id: int):
        memo = services.get_visible_memo(request.user, memo_id)
        upload = request.FILES.get("file")
        too_large = uploads.refused_for_size(request)  # the body was not read past its first file
        if too_large:
            raise InvalidInput(too_large, field="file")
        if upload is None:
            raise InvalidInput("file: ไม่มีไฟล์แนบ", field="file")
        publish = _boolean(request.data.get("publish"), "publish")
        a = drafting.add_attachment(request.user, memo, upload, publish=publish)
        return Response(attachment_data(a), status=201)


class AttachmentDetailView(APIView):
    @extend_schema(
        request=None,
        description="Take a file off a draft or a returned memo (the drafter only); 409 once the memo "
        "is submitted or final.",
        responses={204: None, **ERRORS, **CONFLICT},
    )
    def delete(self, request, memo_id: int, attachment_id: int):
        services.get_visible_memo(request.user, memo_id)
        drafting.remove_attachment(request.user, memo_id, attachment_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _boolean(value, field: str) -> bool:
    """A form field's true/false, as DRF's BooleanField reads it; absent or empty is false."""
    if value is None or value == "":
        return False
    if value in serializers.BooleanField.TRUE_VALUES:
        return True
    if value in serializers.BooleanField.FALSE_VALUES:
        return False
    raise InvalidInput(f"{field}: ต้องเป็น true หรือ false", field=field)


class TaskPagination(LimitOffsetPagination):
    """Pages by the validated ``limit`` and ``offset`` (PageParams)."""

    def __init__(self, params: dict):
        self.params = params

    def get_limit(self, request):
        return self.params["limit"]

    def get_offset(self, request):
        return self.params["offset"]


class TaskListView(APIView):
    """My open tasks, oldest first, ``?limit=&offset=`` pages (50 by default, at most 200)."""

    @extend_schema(parameters=[PageParams], responses={200: TaskListSerializer, **ERRORS})
    def get(self, request):
        paginator = TaskPagination(query(PageParams, request))
        now = deadlines.clock()
        tasks = paginator.paginate_queryset(task_selectors.OpenTaskRows(request.user), request, view=self)
        return paginator.get_paginated_response(
            [{"id": t.pk, "created": t.created.isoformat(), "due": t.data.get("due"),
              "memo": memo_summary(t.memo, deadlines.is_late(t.data, now))} for t in tasks]
        )


class DecideView(APIView):
    parser_classes = [JSONBodyParser]

    @extend_schema(
        request=services.DecisionInput, responses={200: DecisionResultSerializer, **ERRORS, **CONFLICT}
    )
    def post(self, request, task_id: int):
        value = drafting.validate(services.DecisionInput, _body(request))
        decision = services.decide(request.user, task_id, value.decision, value.comment)
        return Response(
            {
                "decision": decision.decision,
                "memo": memo_summary(decision.memo),  # the memo decide locked, with its agency and drafter
            }
        )


class PhraseView(APIView):
    """Comment phrases for the decision form: the standard ones, then the official's own saved
    ones (``own``); POST ``{"text": …}`` keeps one more."""

    parser_classes = [JSONBodyParser]

    @extend_schema(responses={200: PhraseListSerializer, **READ_ERRORS})
    def get(self, request):
        official = getattr(request.user, "official", None)
        own = set(official.phrases.values_list("text", flat=True)) if official else set()
        return Response({"results": [{"text": t, "own": t in own} for t in phrases.phrases_for(official)]})

    @extend_schema(request=PhraseInputSerializer, responses={200: PhraseSerializer, **ERRORS})
    def post(self, request):
        text = _body(request).get("text")
        saved = phrases.save_phrase(drafting.official_of(request.user), text)
        if saved is None:  # a standard phrase: offered already
            return Response({"text": text.strip(), "own": False})
        return Response({"text": saved.text, "own": True})
