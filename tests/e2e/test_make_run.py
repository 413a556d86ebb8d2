"""`make run` as a new user meets it: a fresh clone, the command run as a script (no terminal,
output to a file) or in a terminal, then stopped. It must serve, print the URL and logins last,
stop in a few lines with status 0, and stop everything with an error if the worker dies. Before
config/run.py it printed thousands of "Warm shutdown" lines and ended in a segmentation fault, and
as a script its server never listened while the process stayed up, silent.

The clone is of the working tree as it would be committed (HEAD, the uncommitted changes and new
files), with the project's .venv linked in so nothing is installed again.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from .harness import (
    BIN,
    ROOT,
    _connects,
    descendants,
    embedded_env,
    free_port,
    processes_in,
    wait_for,
    wait_printed,
)

pytestmark = pytest.mark.e2e


def git(*args: str, cwd: Path = ROOT, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, **kw)


@pytest.fixture(scope="module")
def clone(tmp_path_factory) -> Path:
    if not (ROOT / ".git").exists() or not (ROOT / ".venv" / ".installed").exists():
        pytest.skip("needs a git checkout with its .venv made by `make install`")
    repo = tmp_path_factory.mktemp("fresh") / "memo"
    git("clone", "-q", str(ROOT), str(repo))
    diff = git("diff", "HEAD", "--binary").stdout
    if diff:
        git("apply", "--whitespace=nowarn", "-", cwd=repo, input=diff)
    for name in git("ls-files", "--others", "--exclude-standard", "-z").stdout.decode().split("\0"):
        if name:
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            (repo / name).write_bytes((ROOT / name).read_bytes())
    if git("status", "--porcelain", cwd=repo).stdout:  # committed in the clone, as a user would have it
        git("add", "-A", cwd=repo)
        git("-c", "user.name=test", "-c", "user.email=test@localhost", "commit", "-qm", "work in progress", cwd=repo)
    (repo / ".venv").symlink_to(ROOT / ".venv")
    os.utime(repo / "pyproject.toml", (0, 0))  # older than .venv/.installed: make installs nothing
    return repo


def start(clone: Path, port: int, output: Path) -> subprocess.Popen:
    return subprocess.Popen(["make", "run", f"PORT={port}"], cwd=clone, env=embedded_env(),
                            stdin=subprocess.DEVNULL, stdout=output.open("wb"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def supervisor(make: subprocess.Popen) -> int:
    return next(pid for pid, cmd in descendants(make.pid) if "config.run" in cmd)


def assert_ready(output: str, port: int) -> None:
    lines = output.rstrip().splitlines()
    assert lines[-1].strip() == "Ctrl-C stops everything.", output
    block = "\n".join(lines[-4:])
    assert f"Open http://127.0.0.1:{port}/" in block and "rewadee" in block and "klongphon-demo" in block
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/accounts/login/", timeout=30) as r:
        assert r.status == 200


def assert_clean_stop(output: str) -> None:
    assert len(output.splitlines()) < 40, output
    for bad in ("Traceback", "Segmentation fault", "Error", "Interrupt"):
        assert bad not in output, output
    assert output.count("Warm shutdown") <= 1, output  # the worker's own lines go to var/log/worker.log
    assert output.rstrip().endswith("Stopped."), output


def assert_all_gone(clone: Path, port: int) -> None:
    wait_for(lambda: not processes_in(clone), 15, what=f"no process left in {clone}: {processes_in(clone)}")
    assert not _connects(port)


@pytest.fixture
def cleanup(clone):
    started: list[subprocess.Popen] = []
    yield started
    for make in started:
        if make.poll() is None:
            os.killpg(make.pid, signal.SIGKILL)
            make.wait()
    for pid, _ in processes_in(clone):
        os.kill(pid, signal.SIGKILL)


def test_as_a_script_it_serves_prints_the_logins_last_and_stops_on_sigint(clone, tmp_path, cleanup):
    port, out = free_port(), tmp_path / "make-run.txt"
    make = start(clone, port, out)
    cleanup.append(make)
    assert_ready(wait_printed(make, out), port)
    assert (clone / "var" / "secret-key").stat().st_mode & 0o077 == 0  # made once, readable by its owner only
    # var/ (key, database, logs) is ignored by git (.venv is our link, a symlink that .venv/ does not match)
    assert git("status", "--porcelain", "--", ".", ":!.venv", cwd=clone).stdout == b""

    # what Ctrl-C delivers: config.run takes the terminal's foreground, so SIGINT reaches it, not make
    os.kill(supervisor(make), signal.SIGINT)
    assert make.wait(20) == 0
    assert_clean_stop(out.read_text())
    assert_all_gone(clone, port)


def test_ctrl_c_in_a_terminal_stops_everything_and_make_exits_0(clone, cleanup):
    port = free_port()
    pid, fd = pty.fork()
    if pid == 0:  # the child: make on a terminal of its own, as in a shell
        os.chdir(clone)
        os.execvpe("make", ["make", "run", f"PORT={port}"], embedded_env())
    output = b""

    def read_until(done, timeout: float) -> str:
        nonlocal output
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and not done(output):
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    chunk = os.read(fd, 4096)
                except OSError:  # the terminal closed: make and its children are gone
                    break
                if not chunk:
                    break
                output += chunk
        return output.decode(errors="replace").replace("\r\n", "\n")

    try:
        text = read_until(lambda o: b"Ctrl-C stops everything." in o, 180)
        assert_ready(text, port)
        os.write(fd, b"\x03")  # Ctrl-C: the terminal sends SIGINT to its foreground process group
        t0 = time.monotonic()
        text = read_until(lambda o: o.rstrip().endswith(b"Stopped."), 20)
        _, status = os.waitpid(pid, 0)
        assert time.monotonic() - t0 < 20
    finally:
        os.close(fd)
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert_clean_stop(text.replace("^C", ""))
    assert_all_gone(clone, port)


def test_when_the_worker_dies_everything_stops_with_the_error(clone, tmp_path, cleanup):
    port, out = free_port(), tmp_path / "make-run.txt"
    make = start(clone, port, out)
    cleanup.append(make)
    wait_printed(make, out)
    worker = next(pid for pid, cmd in descendants(make.pid) if " worker " in cmd and "celery" in cmd)
    os.killpg(worker, signal.SIGKILL)  # the worker and its beat, as the OOM killer or a crash would
    assert make.wait(30) != 0
    text = out.read_text()
    assert "the worker (celery) was killed by SIGKILL" in text, text
    assert "var/log/worker.log" in text, text  # where the rest of its log is
    assert_all_gone(clone, port)


def test_a_port_in_use_is_said_at_once(tmp_path):
    """Not a silent wait, nor the URL of someone else's server: the port and what to do."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run([str(BIN / "python"), "-m", "config.run", "--port", str(port)], cwd=ROOT,
                              env=embedded_env(VAR_DIR=str(tmp_path)), capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert f"port {port} is in use" in done.stderr and f"make run PORT={port + 1}" in done.stderr
