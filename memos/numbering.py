"""Numbers from an agency's outgoing register: per agency, restarting each calendar year, no gaps.

The counter row is locked with SELECT … FOR UPDATE inside the caller's transaction, so concurrent
submits queue on it and each gets the next number; if the submit rolls back, so does the number.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F

from .models import Agency, RegisterCounter


def take_number(agency: Agency, day: dt.date) -> int:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("take_number must run inside the submit transaction")
    # Create the year's row if missing without racing: ON CONFLICT DO NOTHING.
    RegisterCounter.objects.bulk_create(
        [RegisterCounter(agency=agency, year=day.year, last_number=0)], ignore_conflicts=True
    )
    counter = RegisterCounter.objects.select_for_update().get(agency=agency, year=day.year)
    RegisterCounter.objects.filter(pk=counter.pk).update(last_number=F("last_number") + 1)
    return counter.last_number + 1
