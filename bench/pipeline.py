"""Approval → issued, measured on the real stack: PostgreSQL, Redis, Celery worker processes and
an SMTP sink. Prints figures only.

    .venv/bin/python bench/pipeline.py [--memos 200]

Uses its own database (memo_bench, recreated) and Redis database 13. Three runs of N memos each,
every memo the seed memo with its announcement (two PDFs per memo):
  idle   one worker; approvals one at a time, each after the previous memo was issued
  burst1 one worker; N approvals at once (queueing included)
  burst2 two workers; N approvals at once
Issuing includes signing (PAdES B-LT with the demo PKI's in-process time-stamp authority, as the
stack's SIGNING_DEMO_DIR sets up). Before the runs, the signing cost per document alone: the seed
memo rendered once, then stamped (code + QR on every page) and signed, timed separately.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = os.environ.get("BENCH_DB", "memo_bench")  # a name of one's own when several benches share a server
DB_URL = f"{PG}/{DB_NAME}"
BROKER = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/13")
os.environ.update(DATABASE_URL=DB_URL, CELERY_BROKER_URL=BROKER, DJANGO_SETTINGS_MODULE="config.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-key-" + "0123456789" * 5)  # DEBUG is off: a key is required


def manage(*args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, check=True, capture_output=True)


def setup_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{DB_NAME}"')
    manage("migrate", "--noinput")
    manage("load_demo", "--no-memo")


def signing_cost(doc: dict, tmp: Path, rounds: int = 30) -> None:
    """Stamping and signing one rendered memo, in this process (credentials loaded once, as a worker)."""
    from memos.documents import render_pdf
    from memos.signing import keys, pades, stamp

    creds = keys.load_credentials(keys.SigningConfig(demo_dir=str(tmp / "pki-cost")))
    pdf = render_pdf(doc)
    info = pades.SignatureInfo("นายพิเชษฐ์ คีตรอบ", "อนุมัติ", "เทศบาลตำบลคลองพน")
    seal = stamp.Seal("เทศบาลตำบลคลองพน", "นายพิเชษฐ์ คีตรอบ", "นายกเทศมนตรีตำบลคลองพน")
    st, sg = [], []
    for _ in range(rounds):
        t = time.perf_counter()
        stamped = stamp.stamp(pdf, "http://127.0.0.1:8000/verify/ABCDE-12345/", "ABCDE-12345", seal)
        t1 = time.perf_counter()
        signed = pades.sign_pdf(stamped, creds, info)
        st.append(t1 - t)
        sg.append(time.perf_counter() - t1)

    def q(xs):
        xs = sorted(xs)
        return f"p50 {statistics.median(xs) * 1000:5.0f} ms  p95 {xs[int(len(xs) * 0.95) - 1] * 1000:5.0f} ms"

    print(f"signing cost per document ({len(pdf) // 1024} KB → {len(signed) // 1024} KB signed, B-LT, local TSA): "
          f"stamp {q(st)};  sign {q(sg)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=200)
    parser.add_argument("--runs", default="idle,burst1,burst2", help="which runs, comma-separated")
    args = parser.parse_args()
    n, runs = args.memos, set(args.runs.split(","))
    setup_database()

    import django

    django.setup()
    import redis
    from django.contrib.auth import get_user_model

    from memos import drafting
    from memos.models import Decision, IssuedDocument, Memo, MemoState, OutboxMessage
    from tests.e2e.harness import SmtpSink, Stack, wait_for
    from workflow import services

    users = {u.username: u for u in get_user_model().objects.all()}
    seed = json.loads((ROOT / "examples" / "memo.json").read_text(encoding="utf-8"))
    ann = json.loads((ROOT / "examples" / "announcement.json").read_text(encoding="utf-8"))
    data = {k: seed[k] for k in ("subject", "addressee", "sections", "closing")}
    data["announcement"] = {"subject": ann["subject"], "paragraphs": ann["paragraphs"]}

    def ready_for_mayor(count: int) -> list[int]:
        """Memos submitted and endorsed by the first three reviewers: the mayor's task is open."""
        ids = []
        for _ in range(count):
            memo = drafting.create_memo(users["rewadee"], data)
            services.submit(users["rewadee"], memo.pk)
            for name in ("anchana", "thatsanee", "worawit"):
                task = services.open_tasks(users[name]).first()
                services.decide(users[name], task.pk, "endorse", "เห็นควรเสนอ")
            ids.append(memo.pk)
        return ids

    def approve(memo_id: int) -> None:
        task = services.open_tasks(users["phichet"]).filter(process__memoprocess__memo_id=memo_id).first()
        services.decide(users["phichet"], task.pk, "approve", "อนุมัติ")

    def latencies(ids: list[int]) -> list[float]:
        approved = dict(Decision.objects.filter(memo_id__in=ids, decision="approve").values_list("memo_id", "decided_at"))
        issued = dict(IssuedDocument.objects.filter(memo_id__in=ids, kind="memo").values_list("memo_id", "created_at"))
        return [(issued[i] - approved[i]).total_seconds() for i in ids]

    def all_issued(ids: list[int]) -> bool:
        return Memo.objects.filter(pk__in=ids, state=MemoState.ISSUED).count() == len(ids)

    def report(name: str, lat: list[float], total: float, approving: float) -> None:
        q = statistics.quantiles(lat, n=100)
        print(f"{name:7s} n={len(lat):4d}  approval→issued p50 {q[49] * 1000:6.0f} ms  p95 {q[94] * 1000:6.0f} ms"
              f"  max {max(lat) * 1000:6.0f} ms  total {total:5.1f} s (approving alone {approving:5.1f} s)",
              flush=True)

    with SmtpSink() as sink, tempfile.TemporaryDirectory() as tmp:
        signing_cost(seed, Path(tmp))
        for name, workers, paced in (("idle", 1, True), ("burst1", 1, False), ("burst2", 2, False)):
            if name not in runs:
                continue
            redis.Redis.from_url(BROKER).flushdb()
            ids = ready_for_mayor(n)
            stack = Stack(DB_URL, BROKER, sink.port, str(Path(tmp) / "media"), Path(tmp))
            for w in range(workers):
                stack.start_worker(f"bench{w}", beat=False)
            # the set-up's task emails go first, so the figures are of issuing alone
            wait_for(lambda: not OutboxMessage.objects.filter(state="pending").exists(), 600, what="mail drained")
            t0 = time.perf_counter()
            approving = 0.0
            for memo_id in ids:
                t = time.perf_counter()
                approve(memo_id)
                approving += time.perf_counter() - t
                if paced:
                    wait_for(lambda i=memo_id: all_issued([i]), 60, interval=0.005, what=f"memo {memo_id}")
            wait_for(lambda ids=ids: all_issued(ids), 600, interval=0.05, what="all issued")
            report(name, latencies(ids), time.perf_counter() - t0, approving)
            stack.stop_all()


if __name__ == "__main__":
    main()
