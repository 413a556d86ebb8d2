"""Every API error is JSON with a ``message`` (and ``field`` when one input is at fault)."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_handler

from memos.errors import DomainError

logger = logging.getLogger(__name__)


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        body = {"message": exc.message}
        if exc.field:
            body["field"] = exc.field
        return Response(body, status=exc.status)
    if isinstance(exc, RecursionError):
        # JSON nested deeper than the decoder goes, on an endpoint whose parser does not say so
        # itself (views.JSONBodyParser does): a malformed body, not a server fault
        logger.warning("request refused: %s", exc)
        return Response({"message": "ข้อมูล JSON ซ้อนกันลึกเกินไป"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // 1024
        return Response({"message": f"ข้อมูลใหญ่เกิน {limit} KB"}, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        return Response({"message": "ไม่พบข้อมูล"}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, PermissionDenied):
        return Response({"message": "ไม่มีสิทธิ์"}, status=status.HTTP_403_FORBIDDEN)
    response = drf_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        detail = exc.detail
        if isinstance(detail, dict):
            field, messages = next(iter(detail.items()))
            message = messages[0] if isinstance(messages, list) else messages
            body = {"message": f"{field}: {message}", "field": field}
        elif isinstance(detail, list):
            body = {"message": str(detail[0])}
        else:
            body = {"message": str(detail)}
        response.data = body
    return response
