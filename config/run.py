"""`make run`: the product on its embedded defaults, started and stopped as one thing.

    python -m config.run [--port 8000]

Migrates and loads the demo, starts the Celery worker (with beat, on the embedded broker) and
gunicorn, waits until the login page answers, and prints the URL and logins as the last lines.
If either process dies, the other is stopped and the tail of the dead one's log is shown (exit 1).
Ctrl-C or SIGTERM stops both, once each, and exits 0.

Plain subprocesses rather than honcho: what matters here is what honcho does not do (the steps
before the servers, waiting for the page before printing, the exit status when a child dies).
gunicorn rather than runserver: no autoreloader (whose restart at every start raced viewflow's
imports and left a silent server), the server the stack runs in production, static files by
WhiteNoise as everywhere else.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
READY_TIMEOUT = 90  # seconds for the login page to answer
STOP_TIMEOUT = 12  # seconds for a child to finish its current work after SIGTERM
LABELS = {"web": "web server (gunicorn)", "worker": "worker (celery)"}


class Stopped(Exception):
    """Raised by the SIGINT/SIGTERM handler: the user asked to stop."""


class Failed(Exception):
    """Something could not start, or a child died: the message says what, with its log."""


def _stop_requested(signum: int, _frame) -> None:
    raise Stopped(signum)


def var_dir() -> Path:
    """The same place the settings use for the embedded database, broker and outbox."""
    return Path(os.environ.get("VAR_DIR", ROOT / "var"))


def secret_key(var: Path) -> str:
    """A key made once per checkout and kept in var/ (ignored by git): sessions survive a restart,
    and the product never runs on a key that is written in the repository."""
    path = var / "secret-key"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(50))
    return path.read_text().strip()


_LIBC = ctypes.CDLL(None) if sys.platform == "linux" else None


def _die_with_parent() -> None:
    """Runs in the child before exec: SIGTERM when this supervisor dies, even by SIGKILL."""
    if _LIBC is not None:
        _LIBC.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def take_terminal() -> tuple[int, int] | None:
    """Make this process group the terminal's foreground group, so Ctrl-C reaches only us (make
    would otherwise die of the SIGINT itself and report "Interrupt"). Returns what to give back."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return None  # no terminal: a script sends its signals to us directly
    previous = os.tcgetpgrp(fd)
    if previous != os.getpgrp():  # started in the background: leave the terminal alone
        os.close(fd)
        return None
    os.setpgid(0, 0)
    old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    os.tcsetpgrp(fd, os.getpgrp())
    signal.signal(signal.SIGTTOU, old)
    return fd, previous


def give_back_terminal(saved: tuple[int, int] | None) -> None:
    if saved:
        fd, previous = saved
        old = signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        try:
            os.tcsetpgrp(fd, previous)
        except OSError:
            pass
        signal.signal(signal.SIGTTOU, old)
        os.close(fd)


def port_in_use(port: int) -> bool:
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via an http_proxy


def answers(url: str) -> bool:
    try:
        with _DIRECT.open(url, timeout=5) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError):
        return False


def tail(path: Path, lines: int = 20) -> str:
    try:
        text = path.read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return "    (no log)"
    return "\n".join("    " + line for line in text)


def how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name}"
    return f"exited with status {returncode}"


def shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


class Supervisor:
    def __init__(self, port: int):
        self.port = port
        self.var = var_dir()
        self.logs = self.var / "log"
        self.logs.mkdir(parents=True, exist_ok=True)
        # PYTHONPATH: every child imports this checkout's code, even when the virtualenv's editable
        # install points at another checkout (a clone sharing the venv)
        path = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
        self.env = os.environ | {"DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONUNBUFFERED": "1",
                                 "PYTHONPATH": path}
        self.env.setdefault("SECRET_KEY", secret_key(self.var))
        self.env.setdefault("SITE_URL", f"http://127.0.0.1:{port}")
        self.children: dict[str, tuple[subprocess.Popen, Path]] = {}

    def step(self, *args: str) -> None:
        """A manage.py command that must succeed before the servers start."""
        done = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=self.env,
                              capture_output=True, text=True, start_new_session=True)
        if done.returncode:
            raise Failed(f"make run: manage.py {' '.join(args)} failed:\n{done.stdout}{done.stderr}")

    def start(self, name: str, args: list[str]) -> None:
        log = self.logs / f"{name}.log"  # var/log/web.log, var/log/worker.log
        with open(log, "ab") as out:
            proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True,
                                    preexec_fn=_die_with_parent)
        self.children[name] = (proc, log)

    def check_children(self) -> None:
        for name, (proc, log) in self.children.items():
            if proc.poll() is not None:
                raise Failed(f"\nmake run: the {LABELS[name]} {how_it_ended(proc.returncode)}. "
                                 f"Last lines of {shown(log)}:\n{tail(log)}\n")

    def run(self) -> None:
        if port_in_use(self.port):
            raise Failed(f"make run: port {self.port} is in use (another `make run`?). "
                             f"Stop it, or choose another port: make run PORT={self.port + 1}")
        print("Preparing the database (migrate, demo data)…", flush=True)
        self.step("migrate", "--noinput", "-v0")
        self.step("load_demo")
        print(f"Starting the worker and the web server (logs in {shown(self.logs)}/)…", flush=True)
        self.start("worker", [str(BIN / "celery"), "-A", "config", "worker", "-B",
                              "-s", str(self.var / "beat-schedule"), "-Q", "documents,mail,celery",
                              "--pool=solo", "-l", "warning"])
        self.start("web", [str(BIN / "gunicorn"), "config.wsgi", "-b", f"127.0.0.1:{self.port}",
                           "-w", "1", "--threads", "4", "--graceful-timeout", "5", "--access-logfile", "-"])
        url = f"http://127.0.0.1:{self.port}/"
        deadline = time.monotonic() + READY_TIMEOUT
        while not answers(url + "accounts/login/"):
            self.check_children()
            if time.monotonic() > deadline:
                raise Failed(f"make run: the web server did not answer within {READY_TIMEOUT} s. "
                                 f"Last lines of {shown(self.logs / 'web.log')}:\n{tail(self.logs / 'web.log')}")
            time.sleep(0.2)
        print(
            f"\n  Open {url}  (API: /api/, docs: /api/docs/, admin: /admin/)\n"
            "  Logins: rewadee (drafter), anchana, thatsanee, worawit (acting ปลัดเทศบาล), phichet (mayor), kanokwan (กองคลัง), admin\n"
            f"  Password for all: klongphon-demo     Emails are written to {shown(self.var / 'outbox')}/.\n"
            "  Ctrl-C stops everything.\n",
            flush=True,
        )
        while True:
            self.check_children()
            time.sleep(0.3)

    def stop(self) -> None:
        """SIGTERM once to each child (the worker finishes its task, gunicorn its requests), then
        SIGKILL to whatever is left of its process group."""
        running = [(n, p) for n, (p, _) in self.children.items() if p.poll() is None]
        for _, proc in running:
            proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT
        for name, proc in running:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"make run: the {LABELS[name]} did not stop within {STOP_TIMEOUT} s; killed.", flush=True)
        for proc, _ in self.children.values():
            try:
                os.killpg(proc.pid, signal.SIGKILL)  # leftovers: the worker's beat, gunicorn's workers
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000))
    port = parser.parse_args(argv).port
    terminal = take_terminal()
    signal.signal(signal.SIGINT, _stop_requested)
    signal.signal(signal.SIGTERM, _stop_requested)
    supervisor = None
    status = 0
    try:
        supervisor = Supervisor(port)
        supervisor.run()
    except Stopped:
        print("\nStopping the web server and the worker…", flush=True)
    except Failed as exc:
        print(exc, file=sys.stderr, flush=True)
        status = 1
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # one stop at a time; it is bounded anyway
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if supervisor:
            supervisor.stop()
        give_back_terminal(terminal)
    if status == 0:
        print("Stopped.", flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
