import os

import pytest
import redis
from django.core.management import call_command
from django.db import connection
from knox.models import AuthToken

from memos.models import Official

from .harness import RedisServer, SmtpSink, Stack

pytestmark = pytest.mark.e2e


@pytest.fixture
def e2e_db(transactional_db, settings):
    """Committed data, visible to the server and worker processes."""
    if connection.vendor != "postgresql":
        pytest.skip("end-to-end tests run on PostgreSQL")
    call_command("load_demo", verbosity=0)
    s = connection.settings_dict
    return f"postgres://{s['USER'] or 'postgres'}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def tokens(e2e_db) -> dict[str, str]:
    return {
        o.user.username: AuthToken.objects.create(o.user)[1]
        for o in Official.objects.select_related("user")
    }


@pytest.fixture
def sink():
    with SmtpSink() as s:
        yield s


def _stack(e2e_db, broker_url, sink, settings, tmp_path) -> Stack:
    return Stack(e2e_db, broker_url, sink.port, str(settings.MEDIA_ROOT), tmp_path)


@pytest.fixture
def stack(e2e_db, sink, settings, tmp_path):
    """Web and worker on the machine's Redis (a database of its own, emptied first)."""
    # E2E_REDIS_DB lets two checkouts run their end-to-end tests side by side on one Redis
    broker = settings.CELERY_BROKER_URL.rsplit("/", 1)[0] + "/" + os.environ.get("E2E_REDIS_DB", "14")
    redis.Redis.from_url(broker).flushdb()
    st = _stack(e2e_db, broker, sink, settings, tmp_path)
    st.start_web()
    st.start_worker()
    yield st
    st.stop_all()


@pytest.fixture
def private_redis():
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def stack_on_private_redis(e2e_db, sink, settings, tmp_path, private_redis):
    st = _stack(e2e_db, private_redis.url, sink, settings, tmp_path)
    st.start_web()
    st.start_worker()
    yield st
    st.stop_all()
