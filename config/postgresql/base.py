"""Django's PostgreSQL backend, reading ``timestamptz`` with psycopg's compiled loader.

Why: Django (5.2) registers its own loader for ``timestamptz`` to set the time zone of what it
reads, and derives it from psycopg's pure-Python loader: every date-time read from PostgreSQL is
then parsed in Python even with psycopg-binary installed (Django ticket #36960, psycopg #1273).
On the task list that was an eighth of a gunicorn worker's time under load. This backend
registers a loader that does exactly what Django's does (the value in the connection's time zone,
then ``replace(tzinfo=…)`` with Django's) around the loader psycopg itself registers for the type,
the compiled one when psycopg-binary (or psycopg-c) is installed. Selected in settings for every
PostgreSQL ``DATABASE_URL``; the rest of the backend is Django's.
"""

from __future__ import annotations

from functools import lru_cache

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base
from django.db.backends.postgresql.psycopg_any import get_adapters_template
from psycopg.adapt import AdaptersMap, Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = psycopg.adapters.types["timestamptz"].oid
_PSYCOPG_LOADER = psycopg.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)  # compiled when available


class _TzLoader(Loader):
    """Django's ``BaseTzLoader`` (psycopg_any.py) over psycopg's own loader."""

    timezone = None  # Django's create_cursor compares it with the connection's

    def __init__(self, oid: int, context=None):
        super().__init__(oid, context)
        self._load = _PSYCOPG_LOADER(oid, context).load

    def load(self, data):
        return self._load(data).replace(tzinfo=self.timezone)


@lru_cache
def adapters_for(use_tz: bool, timezone) -> AdaptersMap:
    """Django's adapters map for the connection, with the loader above for ``timestamptz``."""
    context = AdaptersMap(get_adapters_template(use_tz, timezone))
    context.register_loader("timestamptz", type("TzLoader", (_TzLoader,), {"timezone": timezone}))
    return context


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        params["context"] = adapters_for(settings.USE_TZ, self.timezone)
        return params
