"""No memo is stranded (issue 9, point 5): open tasks follow the organisation; viewflow's own
actions cannot leave a memo without a deciding owner; a drafter never reviews her own memo."""

import datetime as dt

import pytest
from django.utils import timezone
from viewflow.workflow.models import Task
from viewflow.workflow.status import STATUS

from memos.models import (
    ActingAssignment,
    Decision,
    HistoryEntry,
    Holding,
    Memo,
    OutboxMessage,
    Position,
    Route,
    RouteStep,
    Unit,
)
from workflow.flows import MemoFlow
from workflow.reminders import remind_waiting_tasks

from .conftest import login, memo_payload, my_task, official

pytestmark = pytest.mark.django_db

ACTING = "รักษาราชการแทน"


def today() -> dt.date:
    return timezone.localdate()


def post(title: str) -> Position:
    return Position.objects.get(title=title)


def submit(api, pk, user="rewadee", expect=200):
    r = api(user).post(f"/api/memos/{pk}/submit/")
    assert r.status_code == expect, r.content
    return r.json()


def draft(api, user="rewadee") -> int:
    r = api(user).post("/api/memos/", memo_payload(), format="json")
    assert r.status_code == 201, r.content
    return r.json()["id"]


def decide(api, user, decision="endorse", comment="", expect=200, task=None):
    task = task or my_task(api, user)
    r = api(user).post(f"/api/tasks/{task}/decide/", {"decision": decision, "comment": comment}, format="json")
    assert r.status_code == expect, r.content
    return r.json()


def at_clerk_step(api) -> tuple[int, int]:
    """A memo at step 3 (ปลัดเทศบาล, vacant, worawit acting): its id and the open task's id."""
    pk = draft(api)
    submit(api, pk)
    decide(api, "anchana")
    decide(api, "thatsanee")
    return pk, my_task(api, "worawit")


def open_tasks(memo_pk: int) -> list[Task]:
    return list(
        Task.objects.filter(
            process__memoprocess__memo_id=memo_pk, flow_task=MemoFlow.review, status__in=[STATUS.NEW, STATUS.ASSIGNED]
        )
    )


def assert_one_open_task(memo_pk: int, username: str) -> Task:
    tasks = open_tasks(memo_pk)
    assert len(tasks) == 1, tasks
    assert tasks[0].owner.username == username and tasks[0].status == STATUS.ASSIGNED
    assert Memo.objects.get(pk=memo_pk).state == "in_review"
    return tasks[0]


def task_mail(task_id: int, username: str) -> OutboxMessage:
    return OutboxMessage.objects.get(key=f"mail:task:{task_id}:{official(username).pk}")


def admin_add_acting(client, username: str, title: str, start: dt.date, end: dt.date | None = None):
    r = client.post(
        "/admin/memos/actingassignment/add/",
        {
            "official": official(username).pk,
            "position": post(title).pk,
            "kind": ACTING,
            "start": start.isoformat(),
            "end": end.isoformat() if end else "",
            "order_reference": "คำสั่งที่ 1/2569",
            "_save": "1",
        },
    )
    assert r.status_code == 302, r.content[:2000]
    return ActingAssignment.objects.order_by("-id").first()


# (a) open tasks follow acting assignments and holdings


def test_a_new_acting_assignment_in_the_admin_moves_the_open_task(api, django_capture_on_commit_callbacks):
    pk, task_id = at_clerk_step(api)
    admin = login("admin")
    with django_capture_on_commit_callbacks(execute=True):
        admin_add_acting(admin, "anchana", "ปลัดเทศบาล", today())

    # the same task, now anchana's, with her capacity; she is emailed, with her own outbox key
    task = assert_one_open_task(pk, "anchana")
    assert task.pk == task_id and task.data["capacity"] == f"{ACTING} ปลัดเทศบาลตำบลคลองพน"
    email = task_mail(task_id, "anchana")
    assert email.payload["to"] == ["anchana@klongphon.example"] and ACTING in email.payload["text"]
    assert task_mail(task_id, "worawit").payload["to"] == ["worawit@klongphon.example"]  # the first one
    moved = HistoryEntry.objects.get(memo_id=pk, action="reassigned")
    assert moved.detail["from"] == "นายวรวิทย์ หัวแหลม" and moved.detail["to"] == "นางสาวอัญชนก ดำฤทธิ์"
    assert moved.label == "ย้ายงานไปยังผู้ปฏิบัติหน้าที่ปัจจุบัน"

    # the old holder: the page says where it went; the API answers 409 with the same words
    assert api("worawit").get("/api/tasks/").json()["results"] == []
    page = login("worawit").get(f"/tasks/{task_id}/")
    text = page.content.decode()
    assert page.status_code == 200 and "งานนี้ย้ายไปให้ นางสาวอัญชนก ดำฤทธิ์" in text
    assert 'name="decision"' not in text
    stale = login("worawit").post(f"/tasks/{task_id}/", {"decision": "endorse", "comment": ""})
    assert stale.status_code == 409 and "นางสาวอัญชนก ดำฤทธิ์" in stale.content.decode()
    r = api("worawit").post(f"/api/tasks/{task_id}/decide/", {"decision": "endorse", "comment": ""}, format="json")
    assert r.status_code == 409 and "นางสาวอัญชนก ดำฤทธิ์" in r.json()["message"], r.content

    # the new owner's page shows her capacity, and her decision is recorded in it
    mine = login("anchana").get(f"/tasks/{task_id}/").content.decode()
    assert f"ในฐานะ {ACTING} ปลัดเทศบาลตำบลคลองพน" in mine
    out = decide(api, "anchana", comment="เห็นควรเสนอ")
    assert out["memo"]["current_step"] == 4
    d = Decision.objects.get(task_id=task_id)
    assert d.official.user.username == "anchana" and d.acting_kind == ACTING
    assert d.own_position_title == "หัวหน้าฝ่ายแผนงานและงบประมาณ" and d.signing_for_title == "ปลัดเทศบาลตำบลคลองพน"
    assert_one_open_task(pk, "phichet")


def test_deleting_the_acting_assignment_in_the_admin_moves_the_task_back(api, django_capture_on_commit_callbacks):
    pk, task_id = at_clerk_step(api)
    admin = login("admin")
    with django_capture_on_commit_callbacks(execute=True):
        acting = admin_add_acting(admin, "anchana", "ปลัดเทศบาล", today())
    assert_one_open_task(pk, "anchana")
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(f"/admin/memos/actingassignment/{acting.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302
    task = assert_one_open_task(pk, "worawit")
    assert task.pk == task_id and task.data["moved_from"] == [official("worawit").user_id, official("anchana").user_id]
    # anchana's page now says it went back to worawit; worawit decides
    assert "งานนี้ย้ายไปให้ นายวรวิทย์ หัวแหลม" in login("anchana").get(f"/tasks/{task_id}/").content.decode()
    decide(api, "worawit")
    assert_one_open_task(pk, "phichet")


def test_a_holding_that_ends_moves_the_task_to_the_new_holder(api, django_capture_on_commit_callbacks):
    """The holder of the first step's post leaves (her holding ends, edited in the admin's
    official page) and someone else takes the post."""
    pk = draft(api)
    submit(api, pk)
    task_id = my_task(api, "anchana")
    admin = login("admin")
    holding = Holding.objects.get(official=official("anchana"))
    yesterday = today() - dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(
            f"/admin/memos/official/{official('anchana').pk}/change/",
            {
                "user": official("anchana").user_id, "prefix": "นางสาว", "first_name": "อัญชนก", "last_name": "ดำฤทธิ์",
                "holdings-TOTAL_FORMS": "1", "holdings-INITIAL_FORMS": "1",
                "holdings-MIN_NUM_FORMS": "0", "holdings-MAX_NUM_FORMS": "1000",
                "holdings-0-id": holding.pk, "holdings-0-official": official("anchana").pk,
                "holdings-0-position": holding.position_id, "holdings-0-start": holding.start.isoformat(),
                "holdings-0-end": yesterday.isoformat(),
                "acting_assignments-TOTAL_FORMS": "0", "acting_assignments-INITIAL_FORMS": "0",
                "acting_assignments-MIN_NUM_FORMS": "0", "acting_assignments-MAX_NUM_FORMS": "1000",
                "_save": "1",
            },
        )
    assert r.status_code == 302, r.content[:3000]
    assert Holding.objects.get(pk=holding.pk).end == yesterday
    # nobody acts for the post now: the task stays with its owner (never ownerless) until someone does
    assert_one_open_task(pk, "anchana")
    with django_capture_on_commit_callbacks(execute=True):
        Holding.objects.create(official=official("thatsanee"), position=holding.position, start=today())
    task = assert_one_open_task(pk, "thatsanee")
    assert task.pk == task_id and task.data["acting"] is False
    assert task_mail(task_id, "thatsanee").payload["to"] == ["thatsanee@klongphon.example"]
    decide(api, "thatsanee", comment="ในฐานะหัวหน้าฝ่าย")
    assert Decision.objects.get(task_id=task_id).acting_kind == ""
    assert_one_open_task(pk, "thatsanee")  # step 2 is hers anyway


def test_the_nightly_job_moves_tasks_whose_assignment_ended_by_date(api):
    """Assignments that end by date change nothing in the database at midnight: beat's job does
    the comparison (here run as the worker runs it)."""
    from worker.tasks import reassign_open_tasks

    pk, task_id = at_clerk_step(api)
    yesterday = today() - dt.timedelta(days=1)
    # written as a date passing would leave them: no save signal
    ActingAssignment.objects.filter(official=official("worawit")).update(end=yesterday)
    ActingAssignment.objects.bulk_create(
        [ActingAssignment(official=official("thatsanee"), position=post("ปลัดเทศบาล"), kind=ACTING, start=today())]
    )
    assert_one_open_task(pk, "worawit")
    assert reassign_open_tasks.apply().get() == 1
    assert_one_open_task(pk, "thatsanee")
    assert reassign_open_tasks.apply().get() == 0  # nothing twice
    assert OutboxMessage.objects.filter(key=f"mail:task:{task_id}:{official('thatsanee').pk}").count() == 1


def test_the_nightly_job_gives_an_ownerless_task_to_whoever_acts(api):
    """A task left without an owner (viewflow's unassign, before it was refused) is assigned again."""
    from worker.tasks import reassign_open_tasks

    pk, task_id = at_clerk_step(api)
    Task.objects.filter(pk=task_id).update(owner=None, status=STATUS.NEW)
    assert reassign_open_tasks.apply().get() == 1
    task = assert_one_open_task(pk, "worawit")
    assert task.pk == task_id and "moved_from" not in task.data
    decide(api, "worawit")
    assert_one_open_task(pk, "phichet")


def test_beat_runs_the_job_after_midnight(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["reassign-open-tasks"]
    assert entry["task"] == "worker.tasks.reassign_open_tasks"
    assert entry["schedule"].hour == {0}


def test_decide_accepts_the_owner_when_the_assignment_changed_unseen(api):
    """The task is the one answer to "who may act": its owner decides even if the acting changed
    and the task has not moved yet (before, this was a 403), in the capacity the task was given in."""
    pk, task_id = at_clerk_step(api)
    ActingAssignment.objects.filter(official=official("worawit")).update(end=today() - dt.timedelta(days=1))
    ActingAssignment.objects.bulk_create(
        [ActingAssignment(official=official("thatsanee"), position=post("ปลัดเทศบาล"), kind=ACTING, start=today())]
    )
    decide(api, "worawit", comment="ลงนามก่อนย้ายงาน")
    d = Decision.objects.get(task_id=task_id)
    assert d.official.user.username == "worawit" and d.acting_kind == ACTING
    assert d.own_position_title == "ผู้อำนวยการกองช่าง"
    assert_one_open_task(pk, "phichet")


def test_reminders_go_to_the_task_owner(api):
    """The reminder goes to whoever holds the task (who can open it), not to whoever the rule
    would pick today if the task has not moved yet."""
    pk, task_id = at_clerk_step(api)
    ActingAssignment.objects.bulk_create(  # unseen by the signals: the task stays worawit's
        [ActingAssignment(official=official("anchana"), position=post("ปลัดเทศบาล"), kind=ACTING, start=today())]
    )
    task = Task.objects.get(pk=task_id)
    remind_waiting_tasks(timezone.localdate(task.created) + dt.timedelta(days=14))
    rows = OutboxMessage.objects.filter(key__startswith=f"mail:reminder:{task_id}:")
    assert [r.payload["to"] for r in rows] == [["worawit@klongphon.example"]]


# (b) viewflow's own actions cannot strand a memo


def test_viewflow_frontend_actions_are_refused_to_a_superuser(api):
    pk, task_id = at_clerk_step(api)
    task = Task.objects.get(pk=task_id)
    process = task.process_id
    done = Task.objects.filter(process_id=process, flow_task=MemoFlow.review, status=STATUS.DONE).first()
    admin = login("admin")

    detail = admin.get(f"/memo/{process}/review/{task_id}/detail/")
    assert detail.status_code == 200
    for action in ("unassign", "assign", "reassign", "cancel", "undo", "revive"):
        assert f"/{task_id}/{action}/" not in detail.content.decode(), action  # no button
    assert "/cancel/" not in admin.get(f"/memo/{process}/").content.decode()

    refused = {
        f"/memo/{process}/review/{task_id}/unassign/": {},
        f"/memo/{process}/review/{task_id}/assign/": {},
        f"/memo/{process}/review/{task_id}/cancel/": {},
        f"/memo/{process}/review/{done.pk}/undo/": {},
        f"/memo/{process}/cancel/": {"_cancel_process": "1"},
        "/memo/inbox/unassign/": {"pk": [task_id], "_confirm": "1"},
        "/memo/queue/assign/": {"pk": [task_id], "_confirm": "1"},
    }
    for url, data in refused.items():
        r = admin.post(url, data)
        assert r.status_code == 403, (url, r.status_code)
    assert admin.post(f"/memo/{process}/review/{task_id}/reassign/", {"user": 1}).status_code == 404  # no such view
    # not the owner: the task page through viewflow's execute link is refused too
    assert admin.post(f"/memo/{process}/review/{task_id}/execute/", {"decision": "endorse"}).status_code == 403

    assert_one_open_task(pk, "worawit")
    decide(api, "worawit")  # and it can still be decided
    assert_one_open_task(pk, "phichet")
    decide(api, "phichet", "approve")
    # an ended round cannot be reopened either (undo of its end, revive)
    end = Task.objects.get(process_id=process, flow_task=MemoFlow.approved)
    assert admin.post(f"/memo/{process}/approved/{end.pk}/undo/", {}).status_code == 403
    assert admin.post(f"/memo/{process}/approved/{end.pk}/revive/", {}).status_code == 403
    assert Memo.objects.get(pk=pk).state == "approved" and not open_tasks(pk)


def test_viewflow_admin_cannot_delete_or_reassign_tasks(api):
    pk, task_id = at_clerk_step(api)
    task = Task.objects.get(pk=task_id)
    admin = login("admin")
    assert admin.get(f"/admin/viewflow/task/{task_id}/delete/").status_code == 403
    assert admin.post(f"/admin/viewflow/task/{task_id}/delete/", {"post": "yes"}).status_code == 403
    assert admin.post(f"/admin/viewflow/process/{task.process_id}/delete/", {"post": "yes"}).status_code == 403
    # viewflow's admin is view-only: a forged change is refused
    r = admin.post(f"/admin/viewflow/task/{task_id}/change/", {"owner": official("rewadee").user_id, "_save": "1"})
    assert r.status_code == 403
    assert_one_open_task(pk, "worawit")


# (c) a drafter never reviews her own memo


def test_the_drafters_own_first_step_is_skipped_at_submit(api):
    pk = draft(api, "anchana")  # she holds the first step's post (หัวหน้าฝ่ายแผนงานและงบประมาณ)
    out = submit(api, pk, "anchana")
    assert out["current_step"] == 2
    assert api("anchana").get("/api/tasks/").json()["results"] == []
    assert_one_open_task(pk, "thatsanee")
    skipped = HistoryEntry.objects.get(memo_id=pk, action="skipped")
    assert skipped.detail == {"step": 1, "position": "หัวหน้าฝ่ายแผนงานและงบประมาณ", "reason": "drafter"}
    assert skipped.label.startswith("ข้ามลำดับ")
    assert [h.action for h in HistoryEntry.objects.filter(memo_id=pk)] == ["created", "submitted", "skipped"]
    page = login("anchana").get(f"/memos/{pk}/").content.decode()
    assert "ข้ามลำดับ" in page


def test_a_step_the_drafter_acts_for_is_skipped_when_the_memo_moves_on(api):
    ActingAssignment.objects.create(official=official("rewadee"), position=post("หัวหน้าสำนักปลัดเทศบาล"),
                                    kind=ACTING, start=today())
    pk = draft(api)
    submit(api, pk)
    out = decide(api, "anchana")
    assert out["memo"]["current_step"] == 3  # step 2 (acted for by the drafter) skipped
    assert HistoryEntry.objects.get(memo_id=pk, action="skipped").detail["step"] == 2
    assert api("rewadee").get("/api/tasks/").json()["results"] == []
    assert_one_open_task(pk, "worawit")
    decide(api, "worawit")
    decide(api, "phichet", "approve")
    assert Memo.objects.get(pk=pk).state == "approved"
    assert list(Decision.objects.filter(memo_id=pk).values_list("step", flat=True)) == [1, 3, 4]


def test_a_drafter_who_is_the_last_step_cannot_submit(api):
    """The last step approves; a memo whose drafter holds or acts for that post has nobody to
    approve it: refused at submit, before a register number is taken."""
    ActingAssignment.objects.create(official=official("rewadee"), position=post("นายกเทศมนตรีตำบลคลองพน"),
                                    kind=ACTING, start=today())
    pk = draft(api)
    r = api("rewadee").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == 400 and r.json()["field"] == "route", r.content
    assert "ลำดับสุดท้าย" in r.json()["message"] and "นายกเทศมนตรีตำบลคลองพน" in r.json()["message"]
    m = Memo.objects.get(pk=pk)
    assert m.state == "draft" and m.number is None and not open_tasks(pk)


def test_every_step_skipped_is_a_400(api):
    works = Unit.objects.get(name="กองช่าง")
    route = Route.objects.create(unit=works)
    RouteStep.objects.create(route=route, order=1, position=post("ผู้อำนวยการกองช่าง"))
    pk = draft(api, "worawit")
    r = api("worawit").post(f"/api/memos/{pk}/submit/")
    assert r.status_code == 400, r.content
    assert r.json() == {"message": "ทุกลำดับในเส้นทางเสนอเป็นตำแหน่งของผู้ร่างเอง จึงไม่มีผู้พิจารณา", "field": "route"}
    assert Memo.objects.get(pk=pk).number is None


def test_drafter_becomes_the_last_step_in_review_the_memo_goes_back_to_her(api, django_capture_on_commit_callbacks):
    """The drafter comes to act for the last post while her memo is in review: the reviewer before
    it cannot endorse (nobody would approve) but can return it; the task is never hers."""
    pk, task_id = at_clerk_step(api)
    with django_capture_on_commit_callbacks(execute=True):
        admin_add_acting(login("admin"), "rewadee", "นายกเทศมนตรีตำบลคลองพน", today())
    r = api("worawit").post(f"/api/tasks/{task_id}/decide/", {"decision": "endorse", "comment": ""}, format="json")
    assert r.status_code == 400 and "ส่งคืนผู้ร่าง" in r.json()["message"], r.content
    assert_one_open_task(pk, "worawit")
    decide(api, "worawit", "return", "ผู้ร่างรักษาราชการแทนนายก โปรดให้ผู้อื่นเสนอ")
    assert Memo.objects.get(pk=pk).state == "returned" and not open_tasks(pk)


def test_an_open_task_is_never_moved_to_the_drafter(api, django_capture_on_commit_callbacks):
    pk, task_id = at_clerk_step(api)
    with django_capture_on_commit_callbacks(execute=True):
        admin_add_acting(login("admin"), "rewadee", "ปลัดเทศบาล", today())
    assert_one_open_task(pk, "worawit")
    assert not HistoryEntry.objects.filter(memo_id=pk, action="reassigned").exists()
    decide(api, "worawit")  # its owner still decides it
    assert_one_open_task(pk, "phichet")



@pytest.mark.django_db(transaction=True)
def test_a_decision_racing_a_move_has_one_outcome(api):
    """The old owner decides while the admin gives the post to someone else: whichever takes the
    flow's lock first wins; the memo ends with exactly one open task, owned by the right official."""
    from django.db import connection

    from .test_concurrency import _client, run_together

    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (make test uses it)")
    pk, task_id = at_clerk_step(api)
    worawit, admin = _client(api, "worawit"), login("admin")

    def act(i):
        if i == 0:
            r = worawit.post(f"/api/tasks/{task_id}/decide/", {"decision": "endorse", "comment": ""}, format="json")
            return r.status_code, r.json()
        r = admin.post("/admin/memos/actingassignment/add/", {
            "official": official("anchana").pk, "position": post("ปลัดเทศบาล").pk, "kind": ACTING,
            "start": today().isoformat(), "end": "", "order_reference": "", "_save": "1"})
        return r.status_code, None

    (code, body), (admin_code, _) = run_together(2, act)
    assert admin_code == 302
    if code == 200:  # decided first: the move found the task done
        assert_one_open_task(pk, "phichet")
        assert Decision.objects.get(task_id=task_id).official.user.username == "worawit"
    else:  # moved first: the decision waited for the lock, then was told where the task went
        assert code == 409 and "นางสาวอัญชนก ดำฤทธิ์" in body["message"], body
        assert assert_one_open_task(pk, "anchana").pk == task_id
        assert not Decision.objects.filter(task_id=task_id).exists()



def test_the_admin_refuses_an_acting_assignment_that_ends_before_it_starts(api):
    admin = login("admin")
    form = {
        "official": official("thatsanee").pk, "position": post("ปลัดเทศบาล").pk, "kind": ACTING,
        "start": today().isoformat(), "end": (today() - dt.timedelta(days=1)).isoformat(), "order_reference": "",
    }
    before = ActingAssignment.objects.count()
    r = admin.post("/admin/memos/actingassignment/add/", form)
    assert r.status_code == 200 and "วันสิ้นสุดต้องไม่ก่อนวันเริ่ม" in r.content.decode()
    assert ActingAssignment.objects.count() == before
