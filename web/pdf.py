"""One way to answer with an issued PDF (browser page, API and public announcement alike)."""

from django.http import HttpResponse

from memos.models import IssuedDocument


def pdf_response(doc: IssuedDocument, filename: str) -> HttpResponse:
    response = HttpResponse(bytes(doc.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["ETag"] = f'"{doc.sha256}"'  # the recorded hash: a reader can check the file
    return response
