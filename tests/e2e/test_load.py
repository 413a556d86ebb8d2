"""Issue 9's load test, bounded: 30 concurrent clients drafting, submitting and deciding for 20 s
on the real stack while the worker is SIGKILLed and restarted, then the books must balance (no
server error, register numbers 1..N, each approved memo issued once, each email sent once).
bench/load.py runs the same for 60 s and prints the figures; this test prints them too (-s).
"""

from __future__ import annotations

import pytest

from bench.load import add_drafters, drain_and_check, drive, report

pytestmark = [pytest.mark.e2e, pytest.mark.postgres]

SECONDS = 20
CLIENTS = 30
KILLS = 2


@pytest.fixture
def drafters(e2e_db) -> list[str]:
    """Before ``tokens``, so that the added drafters get theirs too."""
    return ["rewadee", *add_drafters(CLIENTS // 3 - 1)]


def test_thirty_clients_while_the_worker_is_killed_leave_the_books_balanced(drafters, tokens, stack, sink):
    figures = drive(stack, tokens, drafters, SECONDS, CLIENTS, KILLS)
    drain_and_check(figures, sink)
    report(figures)
    assert len(figures.kills) == KILLS, figures.client_failures
    assert figures.books["memos issued"] >= 3, figures.books  # it was load, issuing included
    assert not figures.problems, "\n".join(figures.problems)
