"""The clerk's role (สารบรรณ, issue 13 item 4): who holds it and which agencies' memos they follow.

The role is a Django group, so the admin grants and withdraws it like any permission. A clerk sees
every memo of the agencies where they hold a post (``workflow.services.visible_memos`` asks
``clerk_agencies``); secrecy rules that hide a memo from people off its route apply on top of that
(``memos.visibility``).
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db.models import Q
from django.utils import timezone

from .models import Position

CLERK_GROUP = "สารบรรณ"


def clerk_group() -> Group:
    group, _ = Group.objects.get_or_create(name=CLERK_GROUP)
    return group


def is_clerk(user) -> bool:
    """Staff, or a member of the สารบรรณ group (cached on the user object for the request)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_staff:
        return True
    cached = getattr(user, "_is_clerk", None)
    if cached is None:
        cached = user._is_clerk = user.groups.filter(name=CLERK_GROUP).exists()
    return cached


def clerk_agencies(user) -> list[int] | None:
    """The agencies whose memos the clerk follows: those where they hold a post today (None = all,
    for staff; [] for someone without the role)."""
    if not is_clerk(user):
        return []
    if user.is_staff:
        return None
    cached = getattr(user, "_clerk_agencies", None)
    if cached is None:
        day = timezone.localdate()
        cached = user._clerk_agencies = list(
            Position.objects.filter(
                Q(holdings__end__isnull=True) | Q(holdings__end__gte=day),
                holdings__official__user=user, holdings__start__lte=day,
            ).values_list("agency_id", flat=True).distinct()
        )
    return cached


def register_memos(user):
    """The memos of the register book the clerk keeps: every numbered memo of their agencies,
    secret ones included, so the book has no gaps (``register_export.rows_of`` prints a secret
    memo's class in place of its subject: FORMAT.md, a secret register entry shows no content)."""
    from .models import Memo

    agencies = clerk_agencies(user)
    qs = Memo.objects.filter(number__isnull=False)
    return qs if agencies is None else qs.filter(agency_id__in=agencies)
