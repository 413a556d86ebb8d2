"""The README's first command, `make run`, on its embedded defaults: SQLite, kombu's filesystem
broker and emails written to files, all under a VAR_DIR of its own. The rest of the suite runs on
PostgreSQL and Redis; this is what keeps the SQLite path honest (it once met a query SQLite
refuses, which PostgreSQL accepts).

`make run`'s own supervisor (migrate, load_demo, a Celery worker on the filesystem broker,
gunicorn), then the seed memo's whole chain: submitted and decided in the browser
pages (session login, CSRF and all), until the worker has issued it and the outbox folder holds
the emails.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import signal
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from .harness import BIN, ROOT, embedded_env, free_port, wait_for, wait_printed

pytestmark = pytest.mark.e2e

PASSWORD = "klongphon-demo"
ROUTE = ["anchana", "thatsanee", "worawit", "phichet"]


class Browser:
    """Cookies and CSRF, as a browser keeps them; no JavaScript (the pages work without it)."""

    def __init__(self, base: str):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def get(self, path: str) -> tuple[int, str, str]:
        try:
            with self.opener.open(self.base + path, timeout=60) as r:
                return r.status, r.read().decode("utf-8", "replace"), r.url
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), e.url

    def post(self, path: str, data: dict) -> tuple[int, str, str]:
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token, **data}).encode()
        req = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(req, timeout=60) as r:
                return r.status, r.read().decode(), r.url
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode(), e.url

    def log_in(self, username: str) -> None:
        self.get("/accounts/login/")
        status, _, url = self.post("/accounts/login/", {"username": username, "password": PASSWORD})
        assert status == 200 and url == self.base + "/", url


@pytest.fixture
def embedded(tmp_path):
    """`make run`'s supervisor (config/run.py) with a VAR_DIR of its own; stopped as Ctrl-C does."""
    port = free_port()
    out = tmp_path / "run.txt"
    proc = subprocess.Popen([str(BIN / "python"), "-m", "config.run", "--port", str(port)], cwd=ROOT,
                            env=embedded_env(VAR_DIR=str(tmp_path)), stdin=subprocess.DEVNULL,
                            stdout=out.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    try:
        wait_printed(proc, out)
        yield f"http://127.0.0.1:{port}", tmp_path
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            status = proc.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # its children follow it (config.run: PR_SET_PDEATHSIG)
            raise
    assert status == 0, out.read_text()


def test_make_run_defaults_carry_the_seed_memo_to_issued(embedded):
    base, var = embedded
    assert (var / "db.sqlite3").exists()
    drafter = Browser(base)
    drafter.log_in("rewadee")
    status, page, _ = drafter.get("/memos/")
    assert status == 200
    memo_id = int(re.search(r'href="/memos/(\d+)/"', page).group(1))  # the seed memo, a draft
    status, page, _ = drafter.post(f"/memos/{memo_id}/submit/", {})
    assert status == 200 and "กบ ๕๒๔๐๑/๑" in page

    for user in ROUTE:
        reviewer = Browser(base)
        reviewer.log_in(user)
        status, inbox, _ = reviewer.get("/")
        task = re.search(r'href="(/tasks/\d+/)"', inbox).group(1)
        status, page, _ = reviewer.get(task)
        assert status == 200 and "รายงานผล" in page
        status, _, url = reviewer.post(task, {"decision": "endorse", "comment": f"ความเห็นของ {user}"})
        assert status == 200 and url == base + "/"

    def issued():
        return "บันทึกฉบับลงนาม (PDF)" in drafter.get(f"/memos/{memo_id}/")[1]

    wait_for(issued, 120, interval=1, what="the worker to issue the memo")
    with drafter.opener.open(f"{base}/memos/{memo_id}/pdf/", timeout=60) as r:
        assert r.headers["Content-Type"] == "application/pdf" and r.read(5) == b"%PDF-"
    outbox: Path = var / "outbox"
    mails = wait_for(lambda: sorted(outbox.glob("*.log")) if len(list(outbox.glob("*.log"))) >= 5 else None,
                     60, interval=1, what="five emails in the outbox folder")
    assert len(mails) == 5  # the four reviewers, then the drafter
    assert (var / "broker" / "control").is_dir()  # kombu's exchange table under VAR_DIR, not ./control

    # Concurrent writers on SQLite: each waits its turn for the write lock (transactions begin
    # IMMEDIATE), none fails at once with "database is locked" (found: 19 of 30 creates were 500s).
    token = api_json(base, "POST", "/api/auth/token/", {"username": "rewadee", "password": PASSWORD})[1]["token"]
    payload = {"subject": "ทดสอบพร้อมกัน", "addressee": "นายกเทศมนตรีตำบลคลองพน",
               "sections": [{"heading": None, "paragraphs": ["ข้อความ"], "items": []}]}
    with ThreadPoolExecutor(max_workers=20) as pool:
        created = list(pool.map(lambda _: api_json(base, "POST", "/api/memos/", payload, token), range(20)))
        assert [status for status, _ in created] == [201] * 20, created
        submitted = list(pool.map(
            lambda c: api_json(base, "POST", f"/api/memos/{c[1]['id']}/submit/", None, token), created))
    assert [status for status, _ in submitted] == [200] * 20, submitted
    numbers = sorted(int(body["number"].rsplit("/", 1)[1]) for _, body in submitted)
    assert numbers == list(range(2, 22))  # after the seed memo's 1: consecutive, each once


def api_json(base: str, method: str, path: str, data: dict | None, token: str | None = None) -> tuple[int, dict]:
    headers = {"Content-Type": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    body = json.dumps(data).encode() if data is not None else None
    req = urllib.request.Request(base + path, data=body, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=120) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, {"error": e.read().decode("utf-8", "replace")[:300]}
