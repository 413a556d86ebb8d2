"""Concurrent officials on the real stack while the worker is SIGKILLed and restarted; then the
books are checked. Prints figures.

    .venv/bin/python bench/load.py [--seconds 60] [--clients 30] [--kills 4]

The stack is tests/e2e/harness.py's: gunicorn, a Celery worker with beat on Redis, PostgreSQL and
an SMTP sink. Uses its own database (memo_load, recreated) and Redis database 12 (BENCH_PG and
BENCH_REDIS change them).

A third of the clients are drafters (rewadee and officials added beside her in ฝ่ายแผนงานและ
งบประมาณ), each with a few memos in review at a time: she drafts, submits, and edits and
resubmits what comes back. The others are the route's four reviewers, several clients each, each
client deciding the tasks in its own inbox: mostly endorse and approve, some returns and
rejections. Every client is a thread with its own HTTP session. A few times, spread over the
run, the worker is SIGKILLed (process group: pool and beat too), preferably while it renders,
and restarted. Afterwards the worker drains and these must hold:

- no server error (5xx); no client error but 409 (two clients of one reviewer on one task);
- register numbers 1..N, each once, and the counter at N;
- every approved memo issued exactly once: its PDFs, one per kind; no memo left approved;
- every memo in review has exactly one open task;
- every email owed (an outbox row) sent exactly once: the sink holds each row's Message-ID once.

tests/e2e/test_load.py runs the same for 20 s.
"""

from __future__ import annotations

import argparse
import collections
import os
import random
import statistics
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
ROUTE = ["anchana", "thatsanee", "worawit", "phichet"]
IN_REVIEW_PER_DRAFTER = 3
DRAIN_TIMEOUT = 300


@dataclass
class Figures:
    seconds: float = 0.0
    clients: int = 0
    requests: int = 0
    latencies: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    statuses: collections.Counter = field(default_factory=collections.Counter)
    server_errors: list[str] = field(default_factory=list)  # "POST /api/… → 500: body"
    unexpected: list[str] = field(default_factory=list)  # 4xx other than 409
    client_failures: list[str] = field(default_factory=list)  # exceptions in a client (connection reset…)
    kills: list[str] = field(default_factory=list)
    drain_seconds: float = 0.0
    memos_before: int = 0
    books: dict[str, int] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


class Client(threading.Thread):
    """One official's browser tab, as far as the API goes: its own HTTP session and token."""

    def __init__(self, base: str, token: str, username: str, figures: Figures, lock: threading.Lock,
                 until: float, seed: int):
        super().__init__(name=f"{username}-{seed}", daemon=True)
        self.base, self.username, self.figures, self.lock, self.until = base, username, figures, lock, until
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.random = random.Random(seed)

    def call(self, method: str, path: str, kind: str, body: dict | None = None) -> tuple[int, dict]:
        t = time.perf_counter()
        r = self.session.request(method, self.base + "/api" + path, json=body, timeout=120)
        elapsed = time.perf_counter() - t
        data = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
        with self.lock:
            self.figures.requests += 1
            self.figures.latencies[kind].append(elapsed)
            self.figures.statuses[r.status_code] += 1
            where = f"{method} {path} → {r.status_code}: {r.text[:2000]}"
            if r.status_code >= 500:
                self.figures.server_errors.append(where)
            elif r.status_code >= 400 and r.status_code != 409:
                self.figures.unexpected.append(where)
        return r.status_code, data

    def run(self) -> None:
        try:
            while time.monotonic() < self.until:
                if not self.step():
                    time.sleep(0.2)  # nothing to do: look again in a moment, as a person would
        except Exception as exc:  # a client must not die silently: it would hide a fault
            with self.lock:
                self.figures.client_failures.append(f"{self.name}: {type(exc).__name__}: {exc}")
        finally:
            self.session.close()


def memo_body(n: int, rng: random.Random) -> dict:
    body = {
        "subject": f"ขออนุมัติจัดซื้อวัสดุสำนักงาน ครั้งที่ {n}",
        "addressee": "นายกเทศมนตรีตำบลคลองพน",
        "sections": [
            {"heading": "เรื่องเดิม", "paragraphs": ["ฝ่ายแผนงานและงบประมาณมีความจำเป็นต้องใช้วัสดุสำนักงาน"],
             "items": []},
            {"heading": "ข้อเสนอ", "paragraphs": [f"จึงขออนุมัติจัดซื้อวัสดุสำนักงาน จำนวน {n} รายการ"],
             "items": ["กระดาษ", "หมึกพิมพ์"]},
        ],
    }
    if rng.random() < 0.5:
        body["announcement"] = {"subject": f"ประกาศผลการจัดซื้อวัสดุสำนักงาน ครั้งที่ {n}",
                                "paragraphs": ["เทศบาลตำบลคลองพนได้ดำเนินการจัดซื้อวัสดุสำนักงานแล้ว"]}
    return body


class Drafter(Client):
    """Resubmits what came back, else drafts and submits a new memo while she has few in review."""

    def step(self) -> bool:
        _, returned = self.call("GET", "/memos/?state=returned&limit=5", "list memos")
        for memo in returned.get("results", []):
            status, _ = self.call("PATCH", f"/memos/{memo['id']}/", "edit",
                                  {"subject": memo["subject"][:400] + " (แก้ไข)"})
            if status == 200:
                self.call("POST", f"/memos/{memo['id']}/submit/", "submit")
        _, waiting = self.call("GET", f"/memos/?state=in_review&limit={IN_REVIEW_PER_DRAFTER}", "list memos")
        if len(waiting.get("results", [])) >= IN_REVIEW_PER_DRAFTER:
            return bool(returned.get("results"))
        status, memo = self.call("POST", "/memos/", "create", memo_body(self.random.randrange(10**6), self.random))
        if status == 201:
            self.call("POST", f"/memos/{memo['id']}/submit/", "submit")
        return True


class Reviewer(Client):
    """Takes a task from its inbox and decides it."""

    slot, clients_of_official = 0, 1  # this client's rank among the official's clients, and their number

    def step(self) -> bool:
        _, tasks = self.call("GET", "/tasks/?limit=20", "list tasks")
        results = tasks.get("results", [])
        if not results:
            return False
        # the official's clients share the inbox out by task id; one with none of its own now and
        # then takes another's (then one of the two gets a 409: the double decision, under load)
        mine = [t for t in results if t["id"] % self.clients_of_official == self.slot]
        if not mine and self.random.random() > 0.1:
            return False
        task = self.random.choice(mine or results)
        roll = self.random.random()
        if self.username == ROUTE[-1]:
            decision = "approve" if roll < 0.9 else "return" if roll < 0.95 else "reject"
        else:
            decision = "endorse" if roll < 0.95 else "return"
        self.call("POST", f"/tasks/{task['id']}/decide/", "decide",
                  {"decision": decision, "comment": f"{decision} โดย {self.username}"})
        return True


def add_drafters(count: int) -> list[str]:
    """Officials beside rewadee in her unit, each in a post of their own, who draft too."""
    from django.contrib.auth import get_user_model

    from memos.management.commands.load_demo import DEMO_PASSWORD, SINCE
    from memos.models import Holding, Official, Position

    analyst = Position.objects.get(holdings__official__user__username="rewadee")
    names = []
    for i in range(1, count + 1):
        username = f"drafter{i}"
        user, created = get_user_model().objects.get_or_create(
            username=username, defaults={"email": f"{username}@klongphon.example"})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        official, _ = Official.objects.get_or_create(
            user=user, defaults={"prefix": "นางสาว", "first_name": f"ผู้ร่าง{i}", "last_name": "ทดสอบภาระ"})
        position, _ = Position.objects.get_or_create(
            agency=analyst.agency, title=f"{analyst.title} ({i})", defaults={"unit": analyst.unit})
        Holding.objects.get_or_create(official=official, position=position, defaults={"start": SINCE})
        names.append(username)
    return names


def killer(stack, figures: Figures, start: float, seconds: float, kills: int,
           lock: threading.Lock) -> threading.Thread:
    """``kills`` times, spread evenly over the clients' window: wait (2 s at most) for the worker
    to be rendering, SIGKILL it with its pool and beat, and start it again. A kill waits for the
    previous restart, so on a slow machine the last may fall after the clients stopped (while the
    worker drains their backlog); the figures say when each happened."""
    from django.db import connection

    from memos.models import OutboxMessage

    def rendering() -> bool:
        return OutboxMessage.objects.filter(key__startswith="issue:", state="pending",
                                            started_at__isnull=False).exists()

    def run():
        try:
            for k in range(1, kills + 1):
                time.sleep(max(0.0, start + seconds * k / (kills + 1) - time.monotonic()))
                deadline = time.monotonic() + 2
                while not rendering() and time.monotonic() < deadline:
                    time.sleep(0.05)
                what = "while rendering" if rendering() else "between renders"
                at, t = time.monotonic() - start, time.perf_counter()
                stack.restart_worker("worker")
                with lock:
                    figures.kills.append(f"at {at:.0f} s {what}, back in {time.perf_counter() - t:.1f} s")
        except Exception as exc:
            with lock:
                figures.client_failures.append(f"killer: {type(exc).__name__}: {exc}")
        finally:
            connection.close()

    return threading.Thread(target=run, name="killer", daemon=True)


def drive(stack, tokens: dict[str, str], drafters: list[str], seconds: float, clients: int,
          kills: int) -> Figures:
    """Run the clients and the killer for ``seconds``; returns the request figures."""
    from memos.models import Memo

    figures, lock = Figures(seconds=seconds, clients=clients), threading.Lock()
    figures.memos_before = Memo.objects.count()  # the seed memo, in the test database
    n_drafters = max(1, min(len(drafters), clients // 3))
    start = time.monotonic()
    until = start + seconds
    threads: list[threading.Thread] = []
    for i in range(clients):
        if i < n_drafters:
            user, cls = drafters[i], Drafter
        else:
            user, cls = ROUTE[(i - n_drafters) % len(ROUTE)], Reviewer
        client = cls(stack.base_url, tokens[user], user, figures, lock, until, seed=i)
        client.slot = (i - n_drafters) // len(ROUTE)
        client.clients_of_official = len(range((i - n_drafters) % len(ROUTE), clients - n_drafters, len(ROUTE)))
        threads.append(client)
    threads.append(killer(stack, figures, start, seconds, kills, lock))
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 180)
    return figures


def drain_and_check(figures: Figures, sink, timeout: float = DRAIN_TIMEOUT) -> Figures:
    """Let the worker finish what is owed, then count and check the books."""
    from django.conf import settings
    from viewflow.workflow.models import Task
    from viewflow.workflow.status import STATUS

    from memos.models import Decision, IssuedDocument, Memo, MemoState, OutboxMessage, RegisterCounter

    t = time.perf_counter()
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = OutboxMessage.objects.filter(state="pending").count()
        approved = Memo.objects.filter(state=MemoState.APPROVED).count()
        mail_done = OutboxMessage.objects.filter(task="worker.tasks.send_email", state="done").count()
        if not pending and not approved and len(sink.received) >= mail_done:
            break
        time.sleep(0.5)
    else:
        figures.problems.append(f"not drained after {timeout} s: {pending} outbox rows pending, "
                                f"{approved} memos approved but not issued")
    time.sleep(2)  # anything sent twice would arrive now
    figures.drain_seconds = time.perf_counter() - t

    memos = Memo.objects.all()  # numbers, states and documents: every memo, the seed's included
    states = collections.Counter(memos.values_list("state", flat=True))
    numbered = sorted(memos.filter(number__isnull=False).values_list("number", flat=True))
    books = figures.books
    books["memos created"] = memos.count() - figures.memos_before
    books["memos submitted"] = len(numbered)
    books["decisions"] = Decision.objects.count()
    books["returned"] = Decision.objects.filter(decision="return").count()
    books["memos approved"] = Decision.objects.filter(decision="approve").count()
    books["memos rejected"] = states[MemoState.REJECTED]
    books["memos issued"] = states[MemoState.ISSUED]
    books["memos in review"] = states[MemoState.IN_REVIEW]
    books["PDFs issued"] = IssuedDocument.objects.count()

    problems = figures.problems
    if numbered != list(range(1, len(numbered) + 1)):
        dupes = [n for n, c in collections.Counter(numbered).items() if c > 1]
        gaps = sorted(set(range(1, (numbered or [0])[-1] + 1)) - set(numbered))
        problems.append(f"register numbers not 1..{len(numbered)}: duplicated {dupes[:20]}, missing {gaps[:20]}")
    last = max(RegisterCounter.objects.values_list("last_number", flat=True), default=0)
    if last != len(numbered):
        problems.append(f"register counter at {last}, {len(numbered)} numbers given")
    if books["memos approved"] != books["memos issued"]:
        problems.append(f"{books['memos approved']} memos approved, {books['memos issued']} issued")
    for memo in memos.filter(state=MemoState.ISSUED).prefetch_related("documents"):
        kinds = sorted(d.kind for d in memo.documents.all())
        expected = ["announcement", "memo"] if memo.announcement else ["memo"]
        if kinds != expected:
            problems.append(f"memo {memo.pk} issued with documents {kinds}, expected {expected}")
    issue_rows = collections.Counter(OutboxMessage.objects.filter(key__startswith="issue:")
                                     .values_list("state", flat=True))
    if set(issue_rows) - {"done"}:
        problems.append(f"issue outbox rows not done: {dict(issue_rows)}")
    open_tasks = collections.Counter(
        Task.objects.filter(status=STATUS.ASSIGNED, process__memoprocess__memo__state=MemoState.IN_REVIEW)
        .values_list("process__memoprocess__memo_id", flat=True))
    if len(open_tasks) != books["memos in review"] or any(c != 1 for c in open_tasks.values()):
        problems.append(f"{books['memos in review']} memos in review, open tasks per memo: "
                        f"{collections.Counter(open_tasks.values())}")

    mails = OutboxMessage.objects.filter(task="worker.tasks.send_email")
    owed = {f"<outbox-{pk}@{settings.MAIL_DOMAIN}>" for pk in mails.values_list("pk", flat=True)}
    received = collections.Counter(m.message_id for m in sink.received)
    books["emails owed"] = len(owed)
    books["emails received"] = sum(received.values())
    not_done = collections.Counter(mails.exclude(state="done").values_list("state", flat=True))
    if not_done:
        problems.append(f"email outbox rows not done: {dict(not_done)}")
    if missing := owed - set(received):
        problems.append(f"{len(missing)} emails owed and never received, e.g. {sorted(missing)[:5]}")
    if twice := {k: c for k, c in received.items() if c > 1}:
        problems.append(f"{len(twice)} emails received more than once: {dict(list(twice.items())[:5])}")
    if unknown := set(received) - owed:
        problems.append(f"{len(unknown)} emails received that no outbox row owes, e.g. {sorted(unknown)[:5]}")
    if figures.server_errors:
        problems.append(f"{len(figures.server_errors)} server errors, first: {figures.server_errors[0]}")
    if figures.unexpected:
        problems.append(f"{len(figures.unexpected)} unexpected client errors, first: {figures.unexpected[0]}")
    if figures.client_failures:
        problems.append(f"{len(figures.client_failures)} client failures: {figures.client_failures[:3]}")
    return figures


def report(f: Figures) -> None:
    def ms(values: list[float], q: int) -> str:
        if len(values) < 2:
            return "   -"
        return f"{statistics.quantiles(values, n=100)[q - 1] * 1000:5.0f}"

    every = [x for v in f.latencies.values() for x in v]
    print(f"{f.clients} clients for {f.seconds:.0f} s: {f.requests} requests ({f.requests / f.seconds:.1f}/s), "
          f"latency p50 {ms(every, 50).strip()} ms, p95 {ms(every, 95).strip()} ms", flush=True)
    for kind, values in sorted(f.latencies.items()):
        print(f"  {kind:12s} n={len(values):5d}  p50 {ms(values, 50)} ms  p95 {ms(values, 95)} ms  "
              f"max {max(values) * 1000:5.0f} ms")
    print(f"  statuses: {dict(sorted(f.statuses.items()))}   server errors: {len(f.server_errors)}   "
          f"other client errors: {len(f.unexpected)}   client failures: {len(f.client_failures)}")
    print(f"  worker SIGKILLed {len(f.kills)} times: {'; '.join(f.kills)}")
    print("  " + ", ".join(f"{k} {v}" for k, v in f.books.items()))
    print(f"  drained in {f.drain_seconds:.1f} s after the clients stopped")
    print("  books: " + ("all consistent" if not f.problems else "PROBLEMS:\n    " + "\n    ".join(f.problems)),
          flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=30)
    parser.add_argument("--kills", type=int, default=4)
    args = parser.parse_args()

    pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    db_url, broker = f"{pg}/memo_load", os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/12")
    os.environ.update(DATABASE_URL=db_url, CELERY_BROKER_URL=broker, DJANGO_SETTINGS_MODULE="config.settings")
    sys.path.insert(0, str(ROOT))
    import subprocess
    import tempfile

    import psycopg
    import redis

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as c:
        c.execute("DROP DATABASE IF EXISTS memo_load WITH (FORCE)")
        c.execute("CREATE DATABASE memo_load")
    for cmd in (["migrate", "--noinput"], ["load_demo", "--no-memo"]):
        subprocess.run([sys.executable, "manage.py", *cmd], cwd=ROOT, check=True, capture_output=True)
    redis.Redis.from_url(broker).flushdb()

    import django

    django.setup()
    from tests.e2e.harness import SmtpSink, Stack

    drafters = ["rewadee", *add_drafters(args.clients // 3 - 1)]
    with SmtpSink() as sink, tempfile.TemporaryDirectory() as tmp:
        stack = Stack(db_url, broker, sink.port, str(Path(tmp) / "media"), Path(tmp))
        stack.start_web()
        stack.start_worker()
        try:
            tokens = {}
            for user in {*drafters, *ROUTE}:  # through the real endpoint, as a client would
                r = requests.post(stack.base_url + "/api/auth/token/",
                                  json={"username": user, "password": "klongphon-demo"}, timeout=60)
                r.raise_for_status()
                tokens[user] = r.json()["token"]
            figures = drive(stack, tokens, drafters, args.seconds, args.clients, args.kills)
            drain_and_check(figures, sink)
        finally:
            stack.stop_all()
    report(figures)
    sys.exit(1 if figures.problems else 0)


if __name__ == "__main__":
    main()
