"""The API against its own OpenAPI schema: schemathesis on the live stack (gunicorn, PostgreSQL),
with the API token of the seed's drafter.

Every check is on: no response is a server error, and every status code, content type and body is
one the schema documents. Deterministic (fixed seed, deterministic generation, no example database)
and bounded (examples per operation and a time cap), so it runs in `make test` in about a minute.
"""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from .harness import BIN, ROOT, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

MAX_EXAMPLES = 40  # per operation and phase
MAX_SECONDS = 240  # the run's own cap; the subprocess is killed a minute after it


@pytest.fixture
def web(e2e_db, settings, tmp_path):
    """The web server only: the API answers without a worker (work it owes waits in the outbox)."""
    st = Stack(e2e_db, "memory://", 1, str(settings.MEDIA_ROOT), tmp_path)
    st.start_web()
    yield st
    st.stop_all()


def test_api_conforms_to_its_schema_and_never_fails(web, tokens, tmp_path):
    token = tokens["rewadee"]
    status, me = web.api("GET", "/me/", token)
    assert status == 200 and me["username"] == "rewadee", me
    report = tmp_path / "report.ndjson"
    started = time.monotonic()
    run = subprocess.run(
        [
            str(BIN / "st"), "run", f"{web.base_url}/api/schema/",
            "--header", f"Authorization: Token {token}",
            "--checks", "all",
            "--max-examples", str(MAX_EXAMPLES),
            "--max-time", str(MAX_SECONDS),
            "--seed", "20261127",
            "--generation-deterministic",
            "--generation-database", "none",
            "--workers", "2",
            "--request-timeout", "30",
            "--no-color",
            "--report", "ndjson", "--report-ndjson-path", str(report),
        ],
        cwd=ROOT, capture_output=True, text=True, timeout=MAX_SECONDS + 60,
    )
    elapsed = time.monotonic() - started
    cases = _count_cases(report)
    print(f"schemathesis: {cases} cases in {elapsed:.0f} s")
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    assert cases > 200, run.stdout[-5000:]


def _count_cases(report) -> int:
    """Test cases run, from schemathesis' event stream (one ScenarioFinished per scenario, with the
    cases it ran)."""
    total = 0
    for line in report.read_text().splitlines():
        event = json.loads(line)
        for name, data in event.items():
            if name == "ScenarioFinished":
                total += len((data.get("recorder") or {}).get("cases", {}))
    return total
