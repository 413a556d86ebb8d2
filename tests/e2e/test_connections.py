"""gunicorn keeps its PostgreSQL connections between requests (CONN_MAX_AGE) and survives losing them."""

import pytest
from django.db import connection

pytestmark = pytest.mark.e2e


@pytest.fixture
def web(e2e_db, sink, settings, tmp_path):
    from .conftest import _stack

    st = _stack(e2e_db, settings.CELERY_BROKER_URL, sink, settings, tmp_path)
    st.start_web()  # no worker: the only other connections to this database are the web's
    yield st
    st.stop_all()


def _web_backends() -> list[tuple[int, object]]:
    with connection.cursor() as cur:
        cur.execute(
            "SELECT pid, backend_start FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend' ORDER BY backend_start"
        )
        return cur.fetchall()


def test_connections_are_kept_between_requests(web, tokens):
    assert _web_backends() == []
    for _ in range(5):
        assert web.api("GET", "/me/", tokens["anchana"])[0] == 200
    first = _web_backends()
    assert first, "no connection left open after the requests: each request opened its own"
    for _ in range(40):
        assert web.api("GET", "/tasks/", tokens["anchana"])[0] == 200
    after = _web_backends()
    # 45 requests, at most one connection per gunicorn thread, and the early ones still serving
    assert len(after) <= web.web_workers * web.web_threads
    assert set(first) <= set(after)


def test_a_lost_connection_is_replaced_not_an_error(web, tokens):
    assert web.api("GET", "/me/", tokens["anchana"])[0] == 200
    with connection.cursor() as cur:  # what a PostgreSQL restart does to the kept connections
        cur.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    for _ in range(20):
        assert web.api("GET", "/me/", tokens["anchana"])[0] == 200
