"""The login backend: Django's ``ModelBackend``, with the user read the way every page needs it."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef


class OfficeBackend(ModelBackend):
    """Each request reads the logged-in user with their official (``user.official``) and whether
    they hold the สารบรรณ role (``memos.clerk.is_clerk``) in one query: every office page asks
    both (the menu, the visibility rule), which were two more queries a page."""

    def get_user(self, user_id):
        from memos.clerk import CLERK_GROUP  # memos imports accounts' settings only at run time

        users = get_user_model()._default_manager.select_related("official").annotate(
            clerk_role=Exists(Group.objects.filter(user=OuterRef("pk"), name=CLERK_GROUP))
        )
        try:
            user = users.get(pk=user_id)
        except get_user_model().DoesNotExist:
            return None
        user._is_clerk = user.clerk_role  # memos.clerk.is_clerk reads it
        return user if self.user_can_authenticate(user) else None
