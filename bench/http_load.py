"""Throughput over real HTTP: gunicorn as docker-compose runs it (``-w 3``, sync workers), 100,000
memos on PostgreSQL, 4–16 concurrent clients. Prints requests/s, p95 and errors per phase.

    .venv/bin/python bench/http_load.py [--memos 100000] [--seconds 10] [--open-tasks 3000] [--python-clients]

The data is bench/api.py's (its own database, memo_bench_http). The clients are wrk's (apt
``wrk``; bench/http_load.lua counts every answer other than 200 and hands out the task ids to
decide), one connection per client, opened again after each answer (sync workers close it, as a
browser behind a proxy would see). wrk is written in C: its clients take little of the two cores
the server is measured on, where real clients would take none (they are on other machines).
Without wrk, or with ``--python-clients``, the clients are threads of this process, which take a
core's worth of the server's CPU at these rates: the figures are then lower than the server's.
The anchor figures are the issue's, measured before connections were kept (CONN_MAX_AGE=0): the
same task list phase is repeated with CONN_MAX_AGE=0 so the run shows both.
"""

from __future__ import annotations

import argparse
import http.client
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import deque
from pathlib import Path

HERE = Path(__file__).resolve().parent

os.environ.setdefault("BENCH_DB", "memo_bench_http")
# bench/api.py sets the environment (its own database) and loads the data
_spec = importlib.util.spec_from_file_location("bench_api", HERE / "api.py")
data = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(data)

ROOT = data.ROOT
BIN = Path(sys.executable).parent


def serve(port: int, **env: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "3"],
        cwd=ROOT, env=os.environ | env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/api/")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.1)
    raise SystemExit("gunicorn did not start")


Figures = tuple[float, float, int, int]  # requests/s, p95 in ms, errors, requests


def run_wrk(port: int, clients: int, seconds: float, token: str, decide_ids: list[int] | None = None,
            body: bytes = b"") -> Figures:
    """One phase with wrk: GET /api/tasks/, or with ``decide_ids`` POST …/decide/ once per id."""
    threads = min(clients, 2)
    env = os.environ | {"NTHREADS": str(threads), "TASKS": "", "BODY": body.decode()}
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as ids:
        if decide_ids is not None:
            ids.write("\n".join(map(str, decide_ids)) + "\n")
            ids.flush()
            env["TASKS"] = ids.name
        out = subprocess.run(
            ["wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "10s", "-s", str(HERE / "http_load.lua"),
             "-H", f"Authorization: Token {token}", f"http://127.0.0.1:{port}/api/tasks/"],
            env=env, capture_output=True, text=True, check=True,
        ).stdout
    n, elapsed, errors, p95 = next(x for x in out.splitlines() if x.startswith("RESULT")).split()[1:]
    return int(n) / float(elapsed), float(p95), int(errors), int(n)


def run(port: int, clients: int, seconds: float, request) -> Figures:
    """Python clients: ``request(conn)`` does one request and returns its status (None: nothing
    left to do). Returns (requests/s, p95 ms, errors, requests)."""
    latencies: list[float] = []
    errors = [0]
    stop = time.perf_counter() + seconds
    lock = threading.Lock()

    def client() -> None:
        mine = []
        while time.perf_counter() < stop:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            t = time.perf_counter()
            try:
                status = request(conn)
            except OSError:
                status = 0
            finally:
                conn.close()
            if status is None:
                break
            mine.append(time.perf_counter() - t)
            if status != 200:
                with lock:
                    errors[0] += 1
        with lock:
            latencies.extend(mine)

    t0 = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    elapsed = time.perf_counter() - t0
    p95 = statistics.quantiles(latencies, n=100)[94] * 1000 if len(latencies) > 1 else float("nan")
    return len(latencies) / elapsed, p95, errors[0], len(latencies)


def line(label: str, clients: int, figures: Figures, budget: str) -> str:
    rps, p95, errors, n = figures
    return (f"{label:<34} {clients:2d} clients  {rps:7.1f} req/s  p95 {p95:6.1f} ms  "
            f"errors {errors}/{n}  ({budget})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--memos", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    # the list's owner's open tasks, which both decide phases also use up: at 150 decisions/s they last
    # about 20 s (an id past the last is a 404, counted as an error: the bench says so)
    parser.add_argument("--open-tasks", type=int, default=3000)
    parser.add_argument("--python-clients", action="store_true", help="threads of this process instead of wrk")
    args = parser.parse_args()
    use_wrk = not args.python_clients and shutil.which("wrk") is not None
    users = data.prepare(args.memos, args.open_tasks)
    from knox.models import AuthToken

    token = AuthToken.objects.create(users["anchana"])[1]
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    from workflow import services

    tasks = deque(services.open_tasks(users["anchana"]).values_list("pk", flat=True))
    from django.db import connections

    connections.close_all()

    def task_list(conn):
        conn.request("GET", "/api/tasks/", headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status

    body = json.dumps({"decision": "endorse", "comment": "เห็นควรเสนอหัวหน้าสำนักปลัดเทศบาลพิจารณา"}).encode()

    def decide(conn):
        try:
            task = tasks.popleft()
        except IndexError:
            return None
        conn.request("POST", f"/api/tasks/{task}/decide/", body=body, headers=headers)
        r = conn.getresponse()
        r.read()
        return r.status

    def list_phase(clients: int, seconds: float) -> Figures:
        return run_wrk(port, clients, seconds, token) if use_wrk else run(port, clients, seconds, task_list)

    def decide_phase(clients: int, seconds: float) -> Figures:
        if not use_wrk:
            return run(port, clients, seconds, decide)
        figures = run_wrk(port, clients, seconds, token, list(tasks), body)
        # the tasks still open, once the requests in flight when wrk stopped have been answered
        # (they were decided too, uncounted: posting them again would be a 409)
        time.sleep(2)
        tasks.clear()
        tasks.extend(services.open_tasks(users["anchana"]).values_list("pk", flat=True))
        connections.close_all()
        return figures

    print(f"{args.memos:,} memos, {len(tasks):,} open tasks for one official; gunicorn -w 3 (sync) on "
          f"{os.cpu_count()} cores; clients: {'wrk' if use_wrk else 'threads of this process'}", flush=True)
    port = 8790
    for max_age, anchor in (("0", " (anchor, issue: 80 req/s at 4)"), ("600", "")):
        web = serve(port, CONN_MAX_AGE=max_age)
        try:
            list_phase(4, 2)  # warm: every worker has imported everything and opened its connection
            for clients in (4, 8, 16):
                budget = "budget ≥ 300 req/s" if max_age == "600" else "connections not kept"
                print(line(f"GET /api/tasks/ CONN_MAX_AGE={max_age}", clients,
                           list_phase(clients, args.seconds), budget + anchor), flush=True)
            if max_age == "600":
                for clients in (4, 16):
                    print(line("POST /api/tasks/{id}/decide/", clients, decide_phase(clients, args.seconds),
                               "budget ≥ 100 decisions/s, 0 errors"), flush=True)
                    if not tasks:
                        print("  (every open task was decided: the errors include ids past the last; "
                              "raise --open-tasks)", flush=True)
        finally:
            web.terminate()
            web.wait(30)
        port += 1


if __name__ == "__main__":
    main()
