"""Races on real PostgreSQL: many decisions on one task, many submits for one register."""

import threading

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

from memos.models import Decision, Memo

from .conftest import create_memo, my_task

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (make test uses it)")


def run_together(n, fn):
    """Start n threads that wait at a barrier, then call fn(i) at once; return the results."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait()
            results[i] = fn(i)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _client(api, username):
    token = api(username)._credentials["HTTP_AUTHORIZATION"]
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=token)
    return c


def test_twenty_concurrent_decisions_exactly_one_wins(api):
    m = create_memo(api)
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    task = my_task(api, "anchana")
    clients = [_client(api, "anchana") for _ in range(20)]

    def decide(i):
        r = clients[i].post(
            f"/api/tasks/{task}/decide/", {"decision": "endorse", "comment": f"ครั้งที่ {i}"}, format="json"
        )
        return r.status_code, r.json()

    results = run_together(20, decide)
    codes = sorted(code for code, _ in results)
    assert codes.count(200) == 1, results
    assert codes.count(409) == 19, results
    assert all(body["message"] for code, body in results if code == 409)
    assert Decision.objects.filter(memo_id=m["id"]).count() == 1
    memo = Memo.objects.get(pk=m["id"])
    assert memo.current_step == 2
    assert len(api("thatsanee").get("/api/tasks/").json()["results"]) == 1


def test_fifty_concurrent_submits_get_fifty_consecutive_numbers(api):
    ids = [create_memo(api, subject=f"บันทึกที่ {i}")["id"] for i in range(50)]
    clients = [_client(api, "rewadee") for _ in range(50)]

    def submit(i):
        return clients[i].post(f"/api/memos/{ids[i]}/submit/").status_code

    assert run_together(50, submit) == [200] * 50
    numbers = sorted(Memo.objects.filter(pk__in=ids).values_list("number", flat=True))
    assert numbers == list(range(1, 51))


def test_two_consultants_at_the_same_instant_both_count_once(api):
    """กองคลัง and กองช่าง decide together: the flow's process lock queues them, so each decision
    is recorded once, the join fires once and the memo moves on to the next step exactly once."""
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from memos.models import OnObjection, RouteStep, StepKind
    from workflow.flows import MemoFlow

    RouteStep.objects.filter(kind=StepKind.CONSULT).update(on_objection=OnObjection.CONTINUE)
    m = create_memo(api, memo_type="procurement")
    assert api("rewadee").post(f"/api/memos/{m['id']}/submit/").status_code == 200
    task = my_task(api, "anchana")
    r = api("anchana").post(f"/api/tasks/{task}/decide/", {"decision": "endorse", "comment": ""}, format="json")
    assert r.status_code == 200, r.content
    users = ["kanokwan", "worawit"]
    tasks = [my_task(api, u) for u in users]
    clients = [_client(api, u) for u in users]
    decisions = ["object", "endorse"]

    def decide(i):
        r = clients[i].post(f"/api/tasks/{tasks[i]}/decide/",
                            {"decision": decisions[i], "comment": f"ความเห็น {i}"}, format="json")
        return r.status_code, r.json()

    results = run_together(2, decide)
    assert [code for code, _ in results] == [200, 200], results
    assert Decision.objects.filter(memo_id=m["id"], step=2).count() == 2
    memo = Memo.objects.get(pk=m["id"])
    assert memo.state == "in_review" and memo.current_step == 3
    joins = Task.objects.filter(process__memoprocess__memo_id=m["id"], flow_task=MemoFlow.consult_join)
    assert [j.status for j in joins] == [STATUS.DONE]
    assert len(api("thatsanee").get("/api/tasks/").json()["results"]) == 1
    assert Task.objects.filter(process__memoprocess__memo_id=m["id"], flow_task=MemoFlow.review,
                               status=STATUS.ASSIGNED).count() == 1
