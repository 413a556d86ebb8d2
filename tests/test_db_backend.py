"""config.postgresql: date-times read with psycopg's compiled loader give what Django's own loader
gives (the same instants, in Django's time zone object), for the values PostgreSQL sends."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import register_tzloader
from psycopg.pq import Format

from config.postgresql.base import TIMESTAMPTZ_OID, _TzLoader

pytestmark = pytest.mark.django_db

VALUES = [
    "2026-11-28 05:30:35.071234+07", "2026-11-28 05:30:35+00", "1999-12-31 23:59:59.999999-03:30",
    "2569-01-01 00:00:00+07",  # a Buddhist-era year typed as Christian: still a date PostgreSQL keeps
    "0001-01-02 00:00:00+00", "9999-12-30 23:59:59+00",
]


def _read(cursor) -> list:
    cursor.execute("SELECT " + ", ".join(["%s::timestamptz"] * len(VALUES)) + ", NULL::timestamptz", VALUES)
    return list(cursor.fetchone())


@pytest.fixture
def pg():
    if connection.vendor != "postgresql":
        pytest.skip("the backend is PostgreSQL's")
    connection.ensure_connection()
    return connection


def test_the_connection_reads_timestamptz_with_the_backend_loader_over_psycopgs_own(pg):
    loader = pg.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
    assert issubclass(loader, _TzLoader) and loader.timezone == pg.timezone
    if psycopg.pq.__impl__ in ("binary", "c"):  # the compiled loader, not the pure-Python one Django derives from
        assert type(loader(TIMESTAMPTZ_OID, pg.connection)._load.__self__).__module__.startswith("psycopg_")


def test_the_values_are_djangos_to_the_microsecond_and_time_zone_object(pg):
    with pg.cursor() as ours:
        mine = _read(ours)
    with pg.connection.cursor() as theirs:
        register_tzloader(pg.timezone, theirs)  # Django's own loader, on this cursor only
        django = _read(theirs)
    assert mine == django
    assert [v.tzinfo for v in mine[:-1]] == [v.tzinfo for v in django[:-1]] == [dt.UTC] * len(VALUES)
    assert mine[0] == dt.datetime(2026, 11, 27, 22, 30, 35, 71234, tzinfo=dt.UTC) and mine[-1] is None
