"""The memo list at 100,000 memos (issue 12 item 6: ≤ 100 ms p95 for an official who has seen all of
them), with secrecy and readers in the visibility rule. Prints figures only.

    .venv/bin/python bench/memo_list.py [--memos 100000] [--requests 200]

Builds its data with bench/api.py's ``prepare`` (one real chain copied in SQL) in its own database
(memo_bench_classes, recreated) and Redis database 11; then marks every tenth memo secret (ลับ) and
copies every hundredth to a reader (ผู้อำนวยการกองคลัง, off the route), and times GET /api/memos/
for: the first reviewer (on the route of every memo), staff (every memo but the secret ones), the
reader (a thousand memos among 100,000), and the drafter's memo list page.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("BENCH_DB", "memo_bench_classes")
os.environ.setdefault("BENCH_REDIS", "redis://127.0.0.1:6379/11")

from bench.api import percentiles, prepare  # noqa: E402  (sets the database before Django starts)

# the classes are content, which the append-only triggers keep once a memo is submitted: the bench
# sets them on its copies as data, with the triggers off for these statements (superuser)
MARK_SQL = """
SET session_replication_role = replica;
UPDATE memos_memo SET secrecy = 'confidential' WHERE id %% 10 = 0;
UPDATE memos_memo SET urgency = 'most_urgent' WHERE id %% 7 = 0;
INSERT INTO memos_memoreader (memo_id, position_id, official_id, "order", added_at, notified_at, note)
SELECT id, %(position)s, %(official)s, 0, now(), now(), '' FROM memos_memo WHERE id %% 100 = 0;
SET session_replication_role = DEFAULT;
ANALYZE;
"""


def _mark(connection, Official, Position, Holding, Unit) -> None:
    """Secrecy, urgency and a reader (somsri, ผู้อำนวยการกองคลัง, off the route) on the copies."""
    from django.contrib.auth import get_user_model

    unit = Unit.objects.get(name="กองคลัง")
    position = Position.objects.create(agency=unit.agency, unit=unit, title="ผู้อำนวยการกองคลัง")
    reader_user = get_user_model().objects.create_user("somsri", "somsri@klongphon.example", "x")
    reader = Official.objects.create(user=reader_user, prefix="นาง", first_name="สมศรี", last_name="ใจดี")
    Holding.objects.create(official=reader, position=position, start=dt.date(2020, 1, 1))
    with connection.cursor() as cur:
        cur.execute(MARK_SQL, {"position": position.pk, "official": reader.pk})
        cur.execute("VACUUM ANALYZE")  # as autovacuum would: index-only scans need the visibility map


def timed(client, url: str, n: int) -> tuple[list[float], int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):
        client.get(url)  # warm up
    times = []
    for _ in range(n):
        t = time.perf_counter()
        r = client.get(url)
        times.append(time.perf_counter() - t)
        assert r.status_code == 200, (url, r.status_code)
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    rows = len(r.json()["results"]) if url.startswith("/api/") else -1
    return times, len(q.captured_queries), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="time again on the database of the last run")
    args = parser.parse_args()
    if args.reuse:
        import django

        django.setup()
    else:
        prepare(args.memos, 10)

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from knox.models import AuthToken

    from memos.models import Holding, Official, Position, Unit

    if not args.reuse:
        _mark(connection, Official, Position, Holding, Unit)
    users = {u.username: u for u in get_user_model().objects.all()}

    def api(name: str) -> Client:
        return Client(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(users[name])[1]}")

    browser = Client()
    browser.force_login(users["rewadee"])
    runs = [
        ("GET  /api/memos/ anchana (route of all)", api("anchana"), "/api/memos/"),
        ("GET  /api/memos/ admin (staff)", api("admin"), "/api/memos/"),
        ("GET  /api/memos/ somsri (reader of 1%)", api("somsri"), "/api/memos/"),
        ("GET  /api/memos/?state=in_review anchana", api("anchana"), "/api/memos/?state=in_review"),
        ("GET  /memos/ page rewadee (drafter)", browser, "/memos/"),
    ]
    for label, client, url in runs:
        times, queries, rows = timed(client, url, args.requests if url.startswith("/api/") else 50)
        print(f"{label:<44} n={len(times):4d}  {percentiles(times)}  queries {queries}  rows {rows}"
              "  (budget p95 100 ms)", flush=True)


if __name__ == "__main__":
    main()
