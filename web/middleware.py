"""Thai unless the user chose otherwise."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class ThaiUnlessChosenMiddleware:
    """Drop the browser's Accept-Language before Django's LocaleMiddleware reads it.

    Office PCs in Thai local government often run an English browser (``en-US``); the product's
    language is Thai, so only an explicit choice (the language switch, stored in the
    ``django_language`` cookie) changes it. The choice lives here; remove this middleware to let
    the browser decide again."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
