"""English on request: after the language switch (the ``django_language`` cookie) the pages'
chrome (menu, headings, buttons, labels, messages, dates and counts) has no Thai left, while the
data stays as typed: memo subjects, names, posts and units are Thai and may show. Without the
choice the same pages stay Thai.

How "chrome only" is told apart: every Thai string the database holds (each memo's text, each
official, post, unit, route, phrase, acting capacity …) is taken out of the page's visible text
first; any Thai left was written by the program. The on-screen memo and announcement (``.paper``)
mirror the printed document (FORMAT.md) and stay Thai, so they are left out too."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.test import Client
from viewflow.workflow.models import Task

from memos.models import ActingKind, Official
from memos.models.office import STANDARD_PHRASES

from .conftest import create_memo, login, my_task

pytestmark = pytest.mark.django_db

THAI = re.compile(r"[\u0E00-\u0E7F]+(?:[ \d.,:;()/\-–]*[\u0E00-\u0E7F]+)*")
# the language switch names Thai in Thai (as every language menu does)
LANGUAGE_SWITCH = "ไทย"
SKIP_TAGS = {"script", "style", "template", "title"}
ATTRIBUTES = {"title", "placeholder", "aria-label", "alt"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Visible(HTMLParser):
    """The text a reader meets: text nodes, tooltips, placeholders and the messages a script shows
    (``data-*``), outside scripts and outside the document previews (``.paper``)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip_depth = 0

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            if not self._skip_depth:
                self._attrs(attrs)
            return
        classes = (dict(attrs).get("class") or "").split()
        if self._skip_depth or tag in SKIP_TAGS or "paper" in classes:
            self._skip_depth += 1
            return
        self._attrs(attrs)

    def handle_startendtag(self, tag, attrs):
        if not self._skip_depth:
            self._attrs(attrs)

    def handle_endtag(self, tag):
        if tag not in VOID and self._skip_depth:
            self._skip_depth -= 1

    def handle_data(self, data):
        if not self._skip_depth:
            self.parts.append(data)

    def _attrs(self, attrs):
        for name, value in attrs:
            if value and (name in ATTRIBUTES or name.startswith("data-")):
                self.parts.append(value)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    return []


def data_strings() -> list[str]:
    """Every Thai string the database holds (longest first), and the words that join them on a
    page as data: the acting capacities, the standard comment phrases, names as written."""
    found = set(STANDARD_PHRASES) | {str(label) for _value, label in ActingKind.choices}
    for model in apps.get_app_config("memos").get_models():
        text_fields = [f.attname for f in model._meta.concrete_fields
                       if f.get_internal_type() in ("CharField", "TextField", "JSONField")]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            found.update(_strings(list(row)))
    for task in Task.objects.all():
        found.update(_strings(task.data or {}))
    for o in Official.objects.all():
        found.update({o.full_name, str(o)})
    for o in Official.objects.select_related("user"):
        found.update({o.user.get_username()})
    return sorted((s.strip() for s in found if s and THAI.search(s)), key=len, reverse=True)


def thai_chrome(page: str, data: list[str]) -> list[str]:
    parser = _Visible()
    parser.feed(page)
    text = "\n".join(parser.parts)
    for s in data:
        text = text.replace(s, " ")
    text = text.replace(LANGUAGE_SWITCH, " ")
    return [m.group(0) for m in THAI.finditer(text)]


def english(username: str) -> Client:
    c = login(username)
    c.cookies["django_language"] = "en"
    return c


@pytest.fixture
def pages(api):
    """A memo in review (urgent, with a CC reader) that anchana endorsed and thatsanee now has;
    the pages each of them opens."""
    m = create_memo(api, subject="ขอความเห็นชอบจัดซื้อวัสดุสำนักงาน", urgency="urgent",
                    readers=[{"official": Official.objects.get(user__username="kanokwan").pk}])
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    r = api("anchana").post(f"/api/tasks/{my_task(api, 'anchana')}/decide/",
                            {"decision": "endorse", "comment": "เห็นควรอนุมัติ"}, format="json")
    assert r.status_code == 200, r.content
    task_id = my_task(api, "thatsanee")
    return {
        "home": ("thatsanee", "/"),
        "memo": ("rewadee", f"/memos/{m['id']}/"),
        "task": ("thatsanee", f"/tasks/{task_id}/"),
        "clerk": ("thatsanee", "/clerk/"),
        "me": ("thatsanee", "/me/"),
        "drafter-home": ("rewadee", "/"),
        "memo-list": ("rewadee", "/memos/"),
    }


def test_english_pages_have_no_thai_chrome(pages):
    data = data_strings()
    left = {}
    for name, (user, url) in pages.items():
        r = english(user).get(url)
        assert r.status_code == 200, (name, r.status_code)
        page = r.content.decode()
        assert '<html lang="en"' in page or 'lang="en"' in page[:500], name
        if found := thai_chrome(page, data):
            left[name] = sorted(set(found))
    assert not left, "\n".join(f"{name}: {found}" for name, found in left.items())


def test_english_dates_counts_and_waiting_times(pages):
    user, url = pages["home"]
    page = english(user).get(url).content.decode()
    assert re.search(r'class="office-count[^"]*" href="#tasks"><b>1</b>Awaiting you', page)
    assert "Waiting under 1 minute" in page
    user, url = pages["memo"]
    page = english(user).get(url).content.decode()
    assert "In review" in page and "Copy to (for information)" in page
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4}, \d\d:\d\d", page)  # a decision's time, English style


def test_without_the_choice_the_same_pages_stay_thai(pages):
    """The default is Thai; the detector above finds the Thai chrome of every page then (so an
    English page passing it is not an empty check)."""
    data = data_strings()
    for name, (user, url) in pages.items():
        page = login(user).get(url).content.decode()
        assert '<html lang="th"' in page, name
        assert thai_chrome(page, data), name
    user, url = pages["home"]
    page = login(user).get(url).content.decode()
    assert re.search(r'class="office-count[^"]*" href="#tasks"><b>๑</b>รอท่านพิจารณา', page)
    assert "รอไม่ถึง ๑ นาที" in page and "สรุปงาน" in page
