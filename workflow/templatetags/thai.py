"""Template filters for Thai dates: the same function the documents print with."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone

from memos.documents.thai import thai_date as _thai_date

register = template.Library()


@register.filter
def thai_date(value) -> str:
    """``๓๐ มีนาคม ๒๕๖๙`` from a date or datetime (local time); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return _thai_date(value)
