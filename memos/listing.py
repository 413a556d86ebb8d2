"""The memo list, read a page at a time, newest first.

Without a search or a filter (what a list shows first, and the case issue 12 budgets: an official
who has seen 100,000 memos) the page's ids come from ``visibility.newest_visible_ids``, whose
cost follows the page; with criteria, from the visible memos narrowed by ``search.search``. No
exact count either way: the pager asks for one row more than it shows to know if there is a
next page (``web.paging.PageWithoutCount``).
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from . import search, visibility
from .models import Memo


class VisibleMemos:
    """What ``user`` may see and ``criteria`` asks for, sliceable: ``rows[start:stop]`` is one
    query for the ids (or the page) and one for the rows. ``read`` shapes the rows (related
    rows, deferred columns, annotations, ``values()``)."""

    def __init__(self, user, criteria: search.Criteria, read: Callable[[QuerySet[Memo]], QuerySet]):
        self.user, self.criteria, self.read = user, criteria, read

    def __getitem__(self, cut: slice) -> list:
        start, stop = cut.start or 0, cut.stop
        if stop is None or cut.step is not None:
            raise TypeError("a page is read with [start:stop]")
        if self.criteria.is_empty:
            ids = visibility.newest_visible_ids(self.user, start, stop - start)
            return list(self.read(Memo.objects.filter(id__in=ids)).order_by("-id")) if ids else []
        qs = search.search(visibility.visible_memos(self.user), self.criteria)
        return list(self.read(qs).order_by("-id")[start:stop])
