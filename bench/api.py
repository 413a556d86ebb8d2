"""API latency with 100,000 memos on PostgreSQL: GET /api/tasks/ and POST /api/tasks/{id}/decide/,
and the same official's browser pages (inbox, memo list, task page). Prints figures only.

    .venv/bin/python bench/api.py [--memos 100000] [--requests 200]

Uses its own database (memo_bench_api, recreated) and Redis database 13. One memo goes through
the real chain (submit, four decisions); its rows (memo, route, decisions, viewflow process and
tasks, history) are then copied in SQL to make the volume, since 100,000 real chains would take
an hour. The measured tasks are real: memos submitted through the service, decided over HTTP
(Django's test client: the whole request stack, without a socket).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
BROKER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
DB = os.environ.get("BENCH_DB", "memo_bench_api")
os.environ.update(DATABASE_URL=f"{PG}/{DB}", CELERY_BROKER_URL=BROKER,
                  DJANGO_SETTINGS_MODULE="config.settings", ALLOWED_HOSTS="*")
os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "0123456789" * 5)  # DEBUG is off: a key is required

CLONE_SQL = """
CREATE TEMP TABLE gen AS SELECT g FROM generate_series(1, %(n)s) g;
INSERT INTO memos_memo (agency_id, unit_id, drafter_id, drafter_position_id, phone, subject, addressee,
    sections, closing, announcement, state, number, register_year, date, round, current_step, created_at, updated_at,
    memo_type)
SELECT agency_id, unit_id, drafter_id, drafter_position_id, phone, subject || ' #' || g, addressee, sections,
    closing, announcement, state, 100000 + g, register_year, date, round, current_step, created_at, updated_at,
    memo_type
FROM memos_memo, gen WHERE id = %(t)s;
CREATE TEMP TABLE copies AS SELECT id AS memo_id FROM memos_memo WHERE id <> %(t)s AND number > 100000;
INSERT INTO memos_memostep (memo_id, "order", slot, position_id, consult, on_objection, added_by_drafter)
SELECT c.memo_id, s."order", s.slot, s.position_id, s.consult, s.on_objection, s.added_by_drafter
FROM copies c, memos_memostep s WHERE s.memo_id = %(t)s;
INSERT INTO memos_decision (memo_id, round, step, task_id, official_id, position_id, official_name, position_title,
    own_position_title, acting_kind, signing_for_title, signature, comment, decision, decided_at, superseded)
SELECT c.memo_id, d.round, d.step, -(c.memo_id * 10 + d.step), d.official_id, d.position_id, d.official_name,
    d.position_title, d.own_position_title, d.acting_kind, d.signing_for_title, d.signature, d.comment, d.decision,
    d.decided_at, d.superseded
FROM copies c, memos_decision d WHERE d.memo_id = %(t)s;
INSERT INTO memos_historyentry (memo_id, actor_id, action, detail, at)
SELECT c.memo_id, h.actor_id, h.action, h.detail, h.at FROM copies c, memos_historyentry h WHERE h.memo_id = %(t)s;
INSERT INTO viewflow_process (flow_class, status, created, finished, data)
SELECT p.flow_class, p.status, p.created, p.finished, jsonb_build_object('bench_memo', c.memo_id)
FROM copies c, viewflow_process p JOIN workflow_memoprocess mp ON mp.process_ptr_id = p.id WHERE mp.memo_id = %(t)s;
INSERT INTO workflow_memoprocess (process_ptr_id, memo_id, round)
SELECT id, (data->>'bench_memo')::bigint, 1 FROM viewflow_process WHERE data ? 'bench_memo';
INSERT INTO viewflow_task (flow_task, flow_task_type, status, created, started, finished, token, owner_id,
    process_id, assigned, data)
SELECT t.flow_task, t.flow_task_type, t.status, t.created, t.started, t.finished, t.token, t.owner_id, p.id,
    t.assigned, t.data
FROM viewflow_process p, viewflow_task t JOIN workflow_memoprocess mp ON mp.process_ptr_id = t.process_id
WHERE p.data ? 'bench_memo' AND mp.memo_id = %(t)s;
ANALYZE;
"""


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True)


def percentiles(samples: list[float]) -> str:
    q = statistics.quantiles(samples, n=100)
    return f"p50 {q[49] * 1000:6.1f} ms  p95 {q[94] * 1000:6.1f} ms  max {max(samples) * 1000:6.1f} ms"


def prepare(memos: int, open_tasks: int) -> dict:
    """A fresh database with ``memos`` memos (one real chain, copied in SQL) and ``open_tasks``
    real submissions waiting for the first reviewer (anchana). Returns the demo users by name."""
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
        c.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        c.execute(f"CREATE DATABASE {DB}")
    manage("migrate", "--noinput")
    manage("load_demo", "--no-memo")

    import django

    django.setup()
    import redis
    from django.contrib.auth import get_user_model
    from django.db import connection

    from memos import drafting
    from memos.models import Memo
    from workflow import services

    users = {u.username: u for u in get_user_model().objects.all()}
    data = {"subject": "รายงานผลการประเมินคุณธรรมและความโปร่งใส", "addressee": "นายกเทศมนตรีตำบลคลองพน",
            "sections": [{"heading": "เรื่องเดิม", "paragraphs": ["ข้อความ " * 50], "items": []}]}

    def submitted() -> Memo:
        memo = drafting.create_memo(users["rewadee"], data)
        services.submit(users["rewadee"], memo.pk)
        return memo

    template = submitted()
    for name in ("anchana", "thatsanee", "worawit", "phichet"):
        task = services.open_tasks(users[name]).first()
        services.decide(users[name], task.pk, "endorse", "เห็นควร")
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute(CLONE_SQL, {"n": memos - 1, "t": template.pk})
    print(f"loaded {Memo.objects.count():,} memos, "
          f"{connection.cursor().execute('select count(*) from viewflow_task').fetchone()[0]:,} viewflow tasks "
          f"in {time.perf_counter() - t:.1f} s", flush=True)

    # open tasks for the first reviewer: real submissions
    for _ in range(open_tasks):
        submitted()
    with connection.cursor() as cur:
        # the state autovacuum keeps a live database in: statistics (workflow 0002: every 1,000
        # changes) and the visibility map (vacuum after 1,000 inserts), which lets the open-task
        # count read its index alone instead of visiting each new task's row
        cur.execute("VACUUM ANALYZE")
    redis.Redis.from_url(BROKER).flushdb()
    return users


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    users = prepare(args.memos, args.requests)

    import redis
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    # token auth, as API clients use it; the browser pages below use a session
    from knox.models import AuthToken

    token = AuthToken.objects.create(users["anchana"])[1]
    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    browser = Client()
    browser.force_login(users["anchana"])
    for _ in range(5):
        client.get("/api/tasks/")  # warm up
    list_times = []
    for _ in range(args.requests):
        t = time.perf_counter()
        r = client.get("/api/tasks/")
        list_times.append(time.perf_counter() - t)
        assert r.status_code == 200
    with CaptureQueriesContext(connection) as q:
        client.get("/api/tasks/")
    list_queries = len(q.captured_queries)

    task_ids = [task["id"] for task in client.get(f"/api/tasks/?limit={args.requests}").json()["results"]]

    # the memo list (API and page) of an official who has seen all 100,000 memos, the home page
    # of the same official (open tasks) and of the drafter of all 100,000, and a task page
    drafter = Client()
    drafter.force_login(users["rewadee"])
    pages = {}
    for label, c, url, budget in (
        ("GET  /api/memos/", client, "/api/memos/", "budget p95 100 ms (issue 12)"),
        ("GET  /memos/ (page)", browser, "/memos/", "budget p95 100 ms (issue 12)"),
        ("GET  / (home, reviewer)", browser, "/", "budget p95 50 ms (issue 13)"),
        ("GET  / (home, drafter)", drafter, "/", "budget p95 50 ms (issue 13)"),
        ("GET  /tasks/…/ (page)", browser, f"/tasks/{task_ids[0]}/", "browser page"),
    ):
        c.get(url)  # warm up
        times = []
        for _ in range(min(args.requests, 100)):
            t = time.perf_counter()
            r = c.get(url)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200, (url, r.status_code)
        with CaptureQueriesContext(connection) as q:
            c.get(url)
        pages[label] = (times, len(q.captured_queries), budget)

    decide_times = []
    for i, task_id in enumerate(task_ids):
        body = {"decision": "endorse", "comment": "เห็นควรเสนอหัวหน้าสำนักปลัดเทศบาลพิจารณา"}
        if i == len(task_ids) - 1:
            with CaptureQueriesContext(connection) as q:
                r = client.post(f"/api/tasks/{task_id}/decide/", body, content_type="application/json")
            decide_queries = len(q.captured_queries)
        else:
            t = time.perf_counter()
            r = client.post(f"/api/tasks/{task_id}/decide/", body, content_type="application/json")
            decide_times.append(time.perf_counter() - t)
        assert r.status_code == 200, r.content
    redis.Redis.from_url(BROKER).flushdb()

    print(f"GET  /api/tasks/          n={len(list_times):4d}  {percentiles(list_times)}  queries {list_queries}"
          f"  (budget p95 20 ms; {args.requests} open tasks, pages of 50)")
    print(f"POST /api/tasks/…/decide/ n={len(decide_times):4d}  {percentiles(decide_times)}  queries {decide_queries}"
          f"  (budget p95 25 ms, 20 queries)")
    for label, (times, queries, budget) in pages.items():
        print(f"{label:<25} n={len(times):4d}  {percentiles(times)}  queries {queries}  ({budget})")


if __name__ == "__main__":
    main()
