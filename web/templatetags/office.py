"""The office pages' small helpers: the counts behind the menu badges and the home page (read
once per request), and waiting times in Thai."""

from __future__ import annotations

from dataclasses import dataclass

from django import template

from memos import selectors, tracking
from workflow import selectors as task_selectors

register = template.Library()


@dataclass(frozen=True)
class Counts:
    tasks: int
    drafts: int
    returned: int
    in_review: int

    @property
    def to_do(self) -> int:
        """What waits on the official: tasks to decide and memos returned to fix."""
        return self.tasks + self.returned


def counts_for(request) -> Counts:
    """One query, once per request: the menu and the home page share it."""
    cached = getattr(request, "_office_counts", None)
    if cached is None:
        user = request.user
        tasks, memo = task_selectors.counts(user) if user.is_authenticated else (0, selectors.MemoCounts())
        cached = Counts(tasks, memo.drafts, memo.returned, memo.in_review)
        request._office_counts = cached
    return cached


@register.simple_tag(takes_context=True)
def office_counts(context) -> Counts | None:
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return counts_for(request)


@register.filter
def waited(since) -> str:
    """``รอ ๒ ชั่วโมง``."""
    return tracking.waited(since)
