"""The API against its own OpenAPI schema: schemathesis on the live stack (gunicorn, PostgreSQL),
with the API token of the seed's drafter.

Every check is on (schemathesis.toml below, one exception): no response is a server error, every
status code, content type and body is one the schema documents, schema-valid input is accepted and
schema-invalid input refused. Deterministic (deterministic generation: the same cases every run, no
example database) and bounded (examples per operation; the run is killed after MAX_SECONDS): about
1,000 cases in one and a half minutes.
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from .harness import BIN, Stack

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

MAX_EXAMPLES = 25  # per operation and phase
MAX_SECONDS = 600  # a cap, not a budget (schemathesis' --max-time would fuzz until it is spent)


@pytest.fixture
def web(e2e_db, settings, tmp_path):
    """The web server only: the API answers without a worker (work it owes waits in the outbox)."""
    st = Stack(e2e_db, "memory://", 1, str(settings.MEDIA_ROOT), tmp_path)
    st.start_web()
    yield st
    st.stop_all()


# Left out, each for a reason that is not the API's contract:
# - the token endpoint: fuzzing a login with thousands of wrong passwords is what login throttling
#   exists to stop (tests/test_chain_api.py covers its answers);
# - "schema-valid upload accepted" for attachments and for a PDF sent to /api/verify/: the schema can
#   say "a file", not "a real PDF, PNG or JPEG", which is what the upload checks (tests/test_chain_api.py,
#   the attachment tests; tests/test_verify.py);
# - the same for a signature ("a file" or "a data URL", not a real PNG of bounded size:
#   tests/test_selfservice.py) and an absence ("a date", not "today or later, end after start");
# - the register book: the fuzzing drafter is not a clerk (สารบรรณ), so every input is a 403
#   (tests/test_clerk.py covers the role's answers).
CONFIG = """
checks.enabled = true

[[operations]]
include-path = "/api/memos/{memo_id}/attachments/"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/verify/"
include-method = "POST"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/me/signature"
include-method = "PUT"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/me/absences/"
include-method = "POST"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/register/{year}/"
checks.positive_data_acceptance.enabled = false

[[operations]]
include-path = "/api/register/{year}/{fmt}/"
checks.positive_data_acceptance.enabled = false
"""


def test_api_conforms_to_its_schema_and_never_fails(web, tokens, tmp_path):
    token = tokens["rewadee"]
    status, me = web.api("GET", "/me/", token)
    assert status == 200 and me["username"] == "rewadee", me
    config = tmp_path / "schemathesis.toml"
    config.write_text(CONFIG)
    started = time.monotonic()
    run = subprocess.run(
        [
            str(BIN / "st"), "--config-file", str(config), "run", f"{web.base_url}/api/schema/",
            "--header", f"Authorization: Token {token}",
            "--max-examples", str(MAX_EXAMPLES),
            "--generation-deterministic",  # the same cases every run: no flakes, no example database
            "--exclude-path", "/api/auth/token/",
            "--workers", "1",  # hypothesis' lambda descriptions are not thread-safe on Python 3.11
            "--request-timeout", "30",
            "--no-color",
        ],
        cwd=tmp_path, capture_output=True, text=True, timeout=MAX_SECONDS,  # its cache stays out of the checkout
    )
    elapsed = time.monotonic() - started
    assert run.returncode == 0, run.stdout[-20000:] + run.stderr[-5000:]
    cases = _count_cases(run.stdout)
    print(f"schemathesis: {cases} cases in {elapsed:.0f} s")
    assert cases > 500, run.stdout[-5000:]


def _count_cases(output: str) -> int:
    """Test cases run, from schemathesis' summary ("976 generated, 976 passed, 24 skipped")."""
    found = re.search(r"(\d+) generated", output)
    assert found, output[-3000:]
    return int(found.group(1))
