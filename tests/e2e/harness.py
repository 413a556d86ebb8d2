"""A real stack for end-to-end tests: gunicorn and a Celery worker (with beat) as subprocesses,
on the test database, a Redis broker and an SMTP sink (aiosmtpd) in this process.

Nothing is mocked or eager: the test talks HTTP to the web server, the web server hands work to
Redis, the worker takes it from Redis and sends mail over SMTP to the sink.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from aiosmtpd.controller import Controller
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout: float = 30.0, interval: float = 0.1, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


@dataclass
class Mail:
    to: list[str]
    subject: str
    text: str
    html: str
    message_id: str


class SinkHandler:
    """Accepts mail, or refuses it with a temporary error (451) while ``refusing`` is set."""

    def __init__(self):
        self.received: list[Mail] = []
        self.refused = 0
        self.refusing = False
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refusing:
            with self.lock:
                self.refused += 1
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        parts = {p.get_content_type(): p.get_content() for p in msg.walk() if not p.is_multipart()}
        with self.lock:
            self.received.append(
                Mail(list(envelope.rcpt_tos), str(msg["Subject"]), parts.get("text/plain", ""),
                     parts.get("text/html", ""), str(msg["Message-ID"]))
            )
        return "250 Message accepted"


class SmtpSink:
    def __init__(self):
        self.handler = SinkHandler()
        self.port = free_port()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()

    @property
    def received(self) -> list[Mail]:
        with self.handler.lock:
            return list(self.handler.received)

    def to(self, address: str) -> list[Mail]:
        return [m for m in self.received if address in m.to]


class RedisServer:
    """A private redis-server, so a test can stop and restart its broker without touching the
    machine's shared one."""

    def __init__(self):
        self.port = free_port()
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for(lambda: _connects(self.port), 10, what="redis-server")

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        wait_for(lambda: not _connects(self.port), 10, what="redis-server to stop")


def _connects(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


@dataclass
class Stack:
    database_url: str
    broker_url: str
    smtp_port: int
    media_root: str
    tmp: Path
    web_port: int = field(default_factory=free_port)
    # gunicorn's gthread workers: one process per core (2 here; the GIL keeps a process to one
    # core), threads for requests that wait on PostgreSQL locks; 16 at once serve the load test's
    # 30 clients (the rest wait in gunicorn's queue, which shows as latency, not errors)
    web_workers: int = 2
    web_threads: int = 8
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict:
        return os.environ | {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "SECRET_KEY": settings.SECRET_KEY,  # the tests' key: DEBUG is off, so one is required
            "DATABASE_URL": self.database_url,
            "CELERY_BROKER_URL": self.broker_url,
            "EMAIL_URL": f"smtp://127.0.0.1:{self.smtp_port}",
            "MEDIA_ROOT": self.media_root,
            "SITE_URL": self.base_url,
            # the web server and the worker share one throw-away demo PKI (the worker signs, the
            # server verifies)
            "SIGNING_DEMO_DIR": str(self.tmp / "pki"),
            # fast recovery, so a test waits seconds, not minutes
            "OUTBOX_SWEEP_SECONDS": "1",
            "OUTBOX_REDISPATCH_AFTER": "5",
            "MAIL_RETRY_BASE_SECONDS": "1",
            "CELERY_VISIBILITY_TIMEOUT": "8",
            "LOG_LEVEL": "INFO",
        }

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        log = open(self.tmp / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(args, cwd=ROOT, env=self.env(), stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def start_web(self):
        self._spawn("web", [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{self.web_port}",
                            "-w", str(self.web_workers), "--threads", str(self.web_threads),
                            "--timeout", "60"])
        wait_for(lambda: _connects(self.web_port), 30, what="gunicorn")

    def start_worker(self, name: str = "worker", beat: bool = True):
        args = [str(BIN / "celery"), "-A", "config", "worker", "-Q", "documents,mail,celery", "-c", "1",
                "--pool", "prefork", "-n", f"{name}@%h", "--without-mingle", "--without-gossip", "-l", "INFO"]
        if beat:
            args += ["-B", "-s", str(self.tmp / "beat-schedule")]
        log = self.tmp / f"{name}.log"
        started = log.read_bytes().count(b"ready.") if log.exists() else 0  # a restart appends
        self._spawn(name, args)
        wait_for(lambda: log.read_bytes().count(b"ready.") > started, 60, what=f"{name} ready")

    def restart_worker(self, name: str = "worker") -> None:
        """SIGKILL a worker with its pool and beat, as a crash or the OOM killer would, and start
        it again (beat too) under the same name."""
        self.kill(name)
        self.start_worker(name)

    def kill(self, name: str, sig=signal.SIGKILL):
        """Kill a process and its children (the worker's pool and beat) at once."""
        proc = self.procs.pop(name)
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        proc.wait(30)

    def stop_all(self):
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM if name == "web" else signal.SIGKILL)

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    # HTTP
    def request(self, method: str, path: str, token: str | None = None, body=None) -> tuple[int, bytes, dict]:
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        req = urllib.request.Request(self.base_url + path, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token:
            req.add_header("Authorization", f"Token {token}")
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return r.status, r.read(), dict(r.headers)
        except urllib.error.HTTPError as e:
            return e.code, e.read(), dict(e.headers)

    def api(self, method: str, path: str, token: str, body=None):
        status, content, _ = self.request(method, "/api" + path, token, body)
        return status, (json.loads(content) if content.startswith((b"{", b"[")) else content)


# `make run` (config/run.py), as a user starts it
RUN_READY = "Ctrl-C stops everything."
EMBEDDED_ENV_DROPPED = ("DATABASE_URL", "CELERY_BROKER_URL", "EMAIL_URL", "VAR_DIR", "SECRET_KEY", "SITE_URL",
                        "MAKEFLAGS", "MFLAGS", "MAKELEVEL")


def embedded_env(**extra: str) -> dict:
    """The environment of a new machine: none of the test suite's service URLs, no outer make."""
    return {k: v for k, v in os.environ.items() if k not in EMBEDDED_ENV_DROPPED} | extra


def wait_printed(proc: subprocess.Popen, output: Path, text: str = RUN_READY, timeout: float = 180) -> str:
    """Until the process prints ``text``; fails at once, with its output, if it exits first."""
    def printed():
        out = output.read_text(errors="replace")
        if text in out:
            return out
        assert proc.poll() is None, f"exited with {proc.returncode} before printing {text!r}:\n{out}"
        return None
    return wait_for(printed, timeout, interval=0.2, what=f"{text!r} in {output}")


def descendants(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(pid, []))
    while todo:
        p = todo.pop()
        try:
            cmd = (Path("/proc") / str(p) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        found.append((p, cmd))
        todo += children.get(p, [])
    return found


def processes_in(directory: Path) -> list[tuple[int, str]]:
    """Processes whose working directory is ``directory`` (what a stopped `make run` must not leave)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and Path(os.readlink(entry / "cwd")) == directory:
                cmd = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                if cmd:  # not a zombie
                    found.append((int(entry.name), cmd))
        except OSError:
            continue
    return found
