"""Route templates (issue 12, item 2): memo types pick the route; a parallel consultation of
กองคลัง and กองช่าง, one objecting and one endorsing, under both ``on_objection`` settings; the
decisions allowed where; acting changes while a consultation waits. Through the API and the pages."""

import datetime as dt
import html

import pytest
from django.db import transaction
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos import issuing
from memos.models import (
    ActingAssignment,
    Decision,
    DecisionRecord,
    HistoryEntry,
    Memo,
    MemoState,
    OnObjection,
    OutboxMessage,
    Position,
    RouteStep,
    StepKind,
)
from workflow.flows import MemoFlow

from . import text_readers
from .conftest import create_memo, login, my_task

pytestmark = pytest.mark.django_db

FINANCE, WORKS = "ผู้อำนวยการกองคลัง", "ผู้อำนวยการกองช่าง"


def consultation_step() -> RouteStep:
    return RouteStep.objects.get(route__memo_type__code="procurement", kind=StepKind.CONSULT)


def submit(api, pk: int, expect: int = 200) -> dict:
    r = api("rewadee").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == expect, r.content
    return r.json()


def decide(api, user: str, decision: str, comment: str = "", expect: int = 200) -> dict:
    r = api(user).post(
        f"/api/tasks/{my_task(api, user)}/decide/", {"decision": decision, "comment": comment}, format="json"
    )
    assert r.status_code == expect, r.content
    return r.json()


def at_consultation(api, **over) -> int:
    m = create_memo(api, memo_type="procurement", **over)
    assert m["memo_type"] == "procurement"
    out = submit(api, m["id"])
    # one entry per step; a consultation lists each consulted position in its participants
    assert [(s["step"], [p["position"] for p in s["participants"]], s["consultation"]) for s in out["route"]] == [
        (1, ["หัวหน้าฝ่ายแผนงานและงบประมาณ"], False),
        (2, [WORKS, FINANCE], True),
        (3, ["หัวหน้าสำนักปลัดเทศบาล"], False),
        (4, ["ปลัดเทศบาล"], False),
        (5, ["นายกเทศมนตรีตำบลคลองพน"], False),
    ]
    decide(api, "anchana", "endorse", "เห็นควรขอความเห็นกองคลังและกองช่าง")
    return m["id"]


def test_a_general_memo_keeps_todays_sequential_route(api):
    m = create_memo(api)
    assert m["memo_type"] == "general" and m["consultants"] == []
    out = submit(api, m["id"])
    assert [s["position"] for s in out["route"]] == [
        "หัวหน้าฝ่ายแผนงานและงบประมาณ", "หัวหน้าสำนักปลัดเทศบาล", "ปลัดเทศบาล", "นายกเทศมนตรีตำบลคลองพน"]
    assert not any(s["consultation"] for s in out["route"])
    # object is a consultation's decision only; reject needs a reason, in Thai, on the field
    r = decide(api, "anchana", "object", "ไม่เห็นด้วย", expect=400)
    assert r["field"] == "decision" and "ขอความเห็นร่วม" in r["message"]
    r = decide(api, "anchana", "reject", "", expect=400)
    assert r["field"] == "comment" and r["message"] == "โปรดระบุเหตุผลที่ไม่อนุมัติ"


def test_an_unknown_memo_type_is_a_400_in_thai(api):
    r = api("rewadee").post("/api/memos/", {"subject": "ก", "addressee": "ข", "memo_type": "nope",
                                            "sections": [{"heading": None, "paragraphs": ["ค"], "items": []}]},
                            format="json")
    assert r.status_code == 400 and r.json()["field"] == "memo_type" and "ไม่มีประเภทบันทึก" in r.json()["message"]


def test_consultation_objection_returns_the_memo_when_the_step_says_so(api):
    assert consultation_step().on_objection == OnObjection.RETURN  # the seed's setting
    pk = at_consultation(api)
    memo = Memo.objects.get(pk=pk)
    assert memo.current_step == 2
    # both consulted at once: one task each, each emailed; nobody further up has one yet
    finance_task, works_task = my_task(api, "kanokwan"), my_task(api, "worawit")
    assert finance_task != works_task
    assert api("thatsanee").get("/api/tasks/").json()["results"] == []
    for task, user in ((finance_task, "kanokwan"), (works_task, "worawit")):
        assert OutboxMessage.objects.filter(key__startswith=f"mail:task:{task}:").count() == 1, user
    # consultants endorse or object, nothing else; an objection needs its reason
    assert decide(api, "kanokwan", "return", "ขอแก้", expect=400)["field"] == "decision"
    assert decide(api, "kanokwan", "approve", "", expect=400)["field"] == "decision"
    assert decide(api, "kanokwan", "object", "", expect=400)["message"] == "โปรดระบุข้อทักท้วง"

    out = decide(api, "kanokwan", "object", "งบประมาณไม่พอ ขอให้ทบทวนราคากลาง")
    assert out["decision"] == "object" and out["memo"]["state"] == "in_review" and out["memo"]["current_step"] == 2
    assert my_task(api, "worawit") == works_task  # still waiting for กองช่าง
    out = decide(api, "worawit", "endorse", "เห็นชอบด้านเทคนิค")
    assert out["memo"]["state"] == "returned"

    detail = api("rewadee").get(f"/api/memos/{pk}/").json()
    assert [(e["position"], e["decision"]) for e in detail["endorsements"]][1:] == [
        (FINANCE, "object"), (WORKS, "endorse")]
    assert detail["endorsements"][1]["comment"] == "งบประมาณไม่พอ ขอให้ทบทวนราคากลาง"
    # every consultant's decision is a link of the record; the drafter is told why
    assert [r.action for r in DecisionRecord.objects.filter(memo_id=pk).order_by("seq")] == [
        "submitted", "endorse", "object", "endorse"]
    returned = OutboxMessage.objects.get(memo_id=pk, key__startswith="mail:returned:")
    assert "งบประมาณไม่พอ" in returned.payload["text"]
    assert HistoryEntry.objects.filter(memo_id=pk, action="consultation_returned").count() == 1
    # the join fired once; nothing is left open
    assert not Task.objects.filter(process__memoprocess__memo_id=pk, status__in=[STATUS.NEW, STATUS.ASSIGNED]).exists()
    assert Task.objects.filter(process__memoprocess__memo_id=pk, flow_task=MemoFlow.consult_join,
                               status=STATUS.DONE).count() == 1

    # the resubmit starts again from step 1, and the consultation asks both again
    submit(api, pk)
    decide(api, "anchana", "endorse", "แก้ไขแล้ว")
    assert my_task(api, "kanokwan") and my_task(api, "worawit")


def test_consultation_objection_is_carried_on_and_printed_in_route_order(api):
    step = consultation_step()
    step.on_objection = OnObjection.CONTINUE
    step.save()
    pk = at_consultation(api)
    # กองคลัง answers first, but กองช่าง comes first in the step: the PDF prints route order
    decide(api, "kanokwan", "object", "ขอให้แนบใบเสนอราคาเพิ่มอีกหนึ่งราย")
    out = decide(api, "worawit", "endorse", "ราคากลางเหมาะสม")
    assert out["memo"]["state"] == "in_review" and out["memo"]["current_step"] == 3
    decide(api, "thatsanee", "endorse", "เห็นควรเสนอ")
    decide(api, "worawit", "endorse", "เห็นควรอนุมัติ")
    assert decide(api, "phichet", "approve", "อนุมัติ")["memo"]["state"] == "approved"
    with transaction.atomic():
        assert issuing.issue(pk) is True
    memo = Memo.objects.get(pk=pk)
    assert memo.state == MemoState.ISSUED
    kinds = list(memo.decisions.order_by("id").values_list("decision", flat=True))
    assert kinds == ["endorse", "object", "endorse", "endorse", "endorse", "approve"]
    text = text_readers.normal(text_readers.pymupdf(bytes(memo.documents.get(kind="memo").pdf)))
    works = text.index(text_readers.normal(f"ความเห็น {WORKS}"))
    finance = text.index(text_readers.normal(f"ความเห็น {FINANCE}"))
    assert works < finance, "consultation comments in route order"
    assert text_readers.normal("ขอให้แนบใบเสนอราคาเพิ่มอีกหนึ่งราย") in text
    assert text_readers.normal("ไม่เห็นชอบ/มีข้อทักท้วง") in text


def test_the_task_page_offers_object_only_on_a_consultation(api):
    pk = at_consultation(api)
    page = html.unescape(login("kanokwan").get(f"/tasks/{my_task(api, 'kanokwan')}/").content.decode())
    # the decision card's radio buttons
    assert 'value="object"' in page and 'value="return"' not in page
    r = login("kanokwan").post(f"/tasks/{my_task(api, 'kanokwan')}/",
                               {"decision": "object", "comment": "ขอทบทวนงบประมาณ"})
    assert r.status_code == 302
    assert Decision.objects.get(memo_id=pk, decision="object").position_title == FINANCE
    # a single step's page has no object, and refuses one sent anyway
    submit_general = create_memo(api)
    submit(api, submit_general["id"])
    task = api("anchana").get("/api/tasks/").json()["results"][0]["id"]
    page = html.unescape(login("anchana").get(f"/tasks/{task}/").content.decode())
    assert 'value="object"' not in page and 'value="return"' in page
    assert login("anchana").post(f"/tasks/{task}/", {"decision": "object", "comment": "x"}).status_code == 400


def test_the_drafter_adds_a_consultant_where_the_route_allows(api):
    clerk_head = Position.objects.get(title="หัวหน้าสำนักปลัดเทศบาล")
    m = create_memo(api, memo_type="procurement", consultants=[clerk_head.pk])
    assert m["consultants"] == [clerk_head.pk]
    out = submit(api, m["id"])
    assert [p["position"] for s in out["route"] if s["consultation"] for p in s["participants"]] == [
        WORKS, FINANCE, "หัวหน้าสำนักปลัดเทศบาล"]
    # a general memo's route has no consultation: adding one is refused at submit, in Thai
    g = create_memo(api, consultants=[clerk_head.pk])
    r = submit(api, g["id"], expect=400)
    assert r["field"] == "consultants" and "ไม่เปิดให้ผู้ร่างเพิ่มผู้ให้ความเห็น" in r["message"]
    assert Memo.objects.get(pk=g["id"]).state == MemoState.DRAFT and Memo.objects.get(pk=g["id"]).number is None


def test_an_acting_change_moves_a_waiting_consultation_task(api, django_capture_on_commit_callbacks):
    at_consultation(api)
    task_id = my_task(api, "kanokwan")
    with django_capture_on_commit_callbacks(execute=True):
        ActingAssignment.objects.create(
            official=Position.objects.get(title="หัวหน้าสำนักปลัดเทศบาล").holdings.get().official,
            position=Position.objects.get(title=FINANCE), kind="รักษาราชการแทน",
            start=timezone.localdate() - dt.timedelta(days=1),
        )
    task = Task.objects.get(pk=task_id)
    assert task.owner.username == "thatsanee" and task.data["capacity"] == f"รักษาราชการแทน {FINANCE}"
    assert HistoryEntry.objects.filter(action="reassigned", detail__position=FINANCE).count() == 1
    assert OutboxMessage.objects.filter(key__startswith=f"mail:task:{task_id}:").count() == 2
    r = api("kanokwan").post(f"/api/tasks/{task_id}/decide/", {"decision": "endorse", "comment": ""}, format="json")
    assert r.status_code == 409 and "ทรรศนีย์" in r.json()["message"]
    out = decide(api, "thatsanee", "endorse", "เห็นชอบ")
    d = Decision.objects.get(task_id=task_id)
    assert d.acting_kind == "รักษาราชการแทน" and d.position_title == FINANCE
    assert out["memo"]["current_step"] == 2  # กองช่าง still to answer
