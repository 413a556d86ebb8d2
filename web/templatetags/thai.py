"""Template filters and tags for Thai: dates, digits and the font, from the same functions the documents use."""

from __future__ import annotations

import base64
import datetime as dt
from functools import lru_cache
from pathlib import Path

import fontpkg_sarabun
from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language, gettext, ngettext

from memos.documents.digits import thai_digits as _thai_digits
from memos.documents.memo import numbered_sections as _numbered_sections
from memos.documents.thai import thai_date as _thai_date
from memos.documents.thai import thai_time as _thai_time

register = template.Library()


def _thai() -> bool:
    """Thai digits and Buddhist-era dates on a Thai page (the default); on a page the user switched
    to English, numbers and dates read the English way (the printed documents never change)."""
    return (get_language() or "th").split("-")[0] == "th"


def _number(n: int) -> str:
    return _thai_digits(str(n)) if _thai() else str(n)


def _english_date(value: dt.date) -> str:
    return date_format(value, "j F Y")


@register.filter
def thai_date(value) -> str:
    """``๓๐ มีนาคม ๒๕๖๙`` from a date or datetime (local time); empty for None."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return _thai_date(value) if _thai() else _english_date(value)


@register.filter
def thai_date_era(value) -> str:
    """``๓๐ มีนาคม พ.ศ. ๒๕๖๙``: the format of a dated official line ("ประกาศ ณ วันที่ …"), as the
    printed announcement has it."""
    if value is None or value == "":
        return ""
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return _thai_date(value, era=True) if _thai() else _english_date(value)


@register.filter
def memo_number(memo) -> str:
    """A memo's register number as a Thai page prints it (``กบ ๕๒๔๐๑/๑``), the same digits as
    the body and the PDF; empty before it is numbered. The API keeps ``กบ 52401/1``: a code a
    program compares."""
    if not getattr(memo, "number", None):
        return ""
    return _thai_digits(memo.number_display) if _thai() else memo.number_display


@register.filter
def thai_ago(value: dt.datetime | None, now: dt.datetime | None = None) -> str:
    """``๓ ชั่วโมงที่แล้ว``: how long since, in the largest whole unit, Thai digits (Django's
    ``timesince`` has no Thai catalogue and read "๒ minutesที่แล้ว")."""
    if value is None:
        return ""
    seconds = max(0, int(((now or timezone.now()) - value).total_seconds()))
    for size, say in _AGO:
        if seconds >= size:
            n = seconds // size
            return say(n) % {"n": _number(n)}
    return gettext("เมื่อสักครู่")


# largest unit first; Thai has one form, English a singular and a plural
_AGO = (
    (365 * 86400, lambda n: ngettext("%(n)s ปีที่แล้ว", "%(n)s ปีที่แล้ว", n)),
    (30 * 86400, lambda n: ngettext("%(n)s เดือนที่แล้ว", "%(n)s เดือนที่แล้ว", n)),
    (86400, lambda n: ngettext("%(n)s วันที่แล้ว", "%(n)s วันที่แล้ว", n)),
    (3600, lambda n: ngettext("%(n)s ชั่วโมงที่แล้ว", "%(n)s ชั่วโมงที่แล้ว", n)),
    (60, lambda n: ngettext("%(n)s นาทีที่แล้ว", "%(n)s นาทีที่แล้ว", n)),
)


def _datetime(value: dt.datetime | None, short: bool) -> str:
    if value is None:
        return ""
    local = timezone.localtime(value)
    if not _thai():
        return date_format(local, "j M Y, H:i")  # "28 Nov 2026, 09:57": fits a list's column
    if short:
        return f"{_thai_date(local.date(), short=True)} {_thai_time(local)}"
    return f"{_thai_date(local.date())} เวลา {_thai_time(local)}"


@register.filter
def thai_datetime(value: dt.datetime | None) -> str:
    """``๒๖ พฤศจิกายน ๒๕๖๙ เวลา ๐๒.๓๗ น.`` (local time), as a Thai office writes a time."""
    return _datetime(value, short=False)


@register.filter
def thai_datetime_short(value: dt.datetime | None) -> str:
    """``๒๖ พ.ย. ๒๕๖๙ ๐๒.๓๗ น.``: a list's column (local time); the English page as ``thai_datetime``."""
    return _datetime(value, short=True)


@register.filter
def thai_digits(value) -> str:
    """Thai digits as the printed memo has them (``กบ ๕๒๔๐๑/๒๒๐``), by the same rule: URLs, e-mail
    addresses and Latin identifiers (ISO/IEC 27001, COVID-19) keep their digits."""
    if value in (None, ""):
        return ""
    return _thai_digits(str(value)) if _thai() else str(value)


@register.filter
def numbered_sections(sections) -> list:
    """(number or None, section) pairs, numbered as the printed memo numbers them."""
    return _numbered_sections(sections or [])


@register.simple_tag
def sarabun_data_uri() -> str:
    """Sarabun as a data: URI, for SVG images (viewflow's flow chart) that cannot fetch fonts."""
    return _sarabun_data_uri()


@lru_cache(maxsize=1)
def _sarabun_data_uri() -> str:
    data = (Path(fontpkg_sarabun.ROOT) / "files" / "Sarabun-Regular.ttf").read_bytes()
    return "data:font/ttf;base64," + base64.b64encode(data).decode("ascii")
