"""The home page ("my work") at 100,000 memos on PostgreSQL: p95 for the drafter of them all
(rewadee: drafts, returned, in review and issued lists over 100,000 memos of hers) and for the
first reviewer (anchana: the open tasks, every memo decided by her). Prints figures only.

    .venv/bin/python bench/home.py [--memos 100000] [--requests 200]

Reuses ``prepare`` from bench/api.py (its own database and Redis database: BENCH_DB, BENCH_REDIS).
Budget: p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from api import percentiles, prepare  # noqa: E402  (sets the environment before Django loads)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--reuse", action="store_true", help="measure again on the database a run left")
    args = parser.parse_args()
    if args.reuse:
        import django

        django.setup()
        from django.contrib.auth import get_user_model

        users = {u.username: u for u in get_user_model().objects.all()}
    else:
        users = prepare(args.memos, args.requests)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from memos import drafting
    from memos.models import Memo
    from workflow import services

    # every list of the drafter's home has rows: a few drafts, a returned memo, issued ones
    rewadee = users["rewadee"]
    for i in range(0 if args.reuse else 3):
        drafting.create_memo(rewadee, {"subject": f"ร่าง {i}", "addressee": "นายกเทศมนตรีตำบลคลองพน",
                                       "sections": [{"heading": None, "paragraphs": ["ข้อความ"], "items": []}]})
    if not args.reuse:
        task = services.open_tasks(users["anchana"]).first()
        services.decide(users["anchana"], task.pk, "return", "โปรดแนบใบเสนอราคา")
    issued = Memo.objects.filter(state="approved").order_by("-id").values_list("pk", flat=True)[:20]
    Memo.objects.filter(pk__in=list(issued)).update(state="issued")
    print(f"{Memo.objects.count():,} memos: " + ", ".join(
        f"{s} {Memo.objects.filter(state=s).count():,}" for s in ("draft", "returned", "in_review", "approved", "issued")
    ), flush=True)

    # /accounts/login/ (a form, no query of memos) as a yardstick of the machine's speed meanwhile
    for name, url in (("rewadee", "/"), ("anchana", "/"), ("anonymous", "/accounts/login/")):
        browser = Client()
        if name != "anonymous":
            browser.force_login(users[name])
        for _ in range(5):
            assert browser.get(url).status_code == 200  # warm up
        times = []
        for _ in range(args.requests):
            t = time.perf_counter()
            r = browser.get(url)
            times.append(time.perf_counter() - t)
            assert r.status_code == 200
        with CaptureQueriesContext(connection) as q:
            browser.get(url)
        sql_ms = sum(float(x["time"]) for x in q.captured_queries) * 1000
        print(f"GET  {url:<16} as {name:<9} n={len(times):4d}  {percentiles(times)}  queries {len(q.captured_queries)}"
              f" ({sql_ms:.1f} ms in SQL)  (budget p95 50 ms)", flush=True)


if __name__ == "__main__":
    main()
