"""API token authentication: django-rest-knox's tokens (stored as a SHA-512 digest, one per login).

Lifetime (settings ``REST_KNOX``, from ``API_TOKEN_IDLE_HOURS`` and ``API_TOKEN_MAX_AGE_DAYS``): a
token's expiry slides forward on use (``AUTO_REFRESH``), written at most once a minute
(``MIN_REFRESH_INTERVAL``), and never past its creation plus the maximum age
(``AUTO_REFRESH_MAX_TTL``). An unused token dies after the idle time, any token after the maximum age.
"""

from __future__ import annotations

import binascii
from hmac import compare_digest

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.crypto import hash_token
from knox.models import AuthToken, get_token_model
from knox.settings import CONSTANTS, knox_settings
from rest_framework import exceptions

from memos.compiled import Compiled

# the token and its user by the token's key: knox's read, compiled once (memos.compiled); it runs
# on every API request. With the user's official (a decision, a draft, the phrases read it): one
# join here instead of a query of its own.
_TOKENS = Compiled(
    lambda key: get_token_model().objects.filter(token_key=key).select_related("user__official"), str
)


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication with one query per request instead of two.

    knox also loads every other token of the user on each request to delete the expired ones; we
    check only the token presented (an expired one is deleted and refused, as knox does) and purge
    a user's expired tokens when they log in (``purge_expired``) instead. The token is read by a
    statement compiled once; the rest is knox's ``authenticate_credentials``.
    """

    def authenticate_credentials(self, token):
        msg = _("Invalid token.")
        token = token.decode("utf-8")
        for auth_token in _TOKENS(token[: CONSTANTS.TOKEN_KEY_LENGTH]):
            if self._cleanup_token(auth_token):
                continue
            try:
                digest = hash_token(token)
            except (TypeError, binascii.Error):
                raise exceptions.AuthenticationFailed(msg) from None
            if compare_digest(digest, auth_token.digest):
                if knox_settings.AUTO_REFRESH and auth_token.expiry:
                    self.renew_token(auth_token)
                return self.validate_user(auth_token)
        raise exceptions.AuthenticationFailed(msg)

    def _cleanup_token(self, auth_token: AuthToken) -> bool:
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            auth_token.delete()
            return True
        return False


def purge_expired(user) -> None:
    """Delete the user's expired tokens (called at login, so the table does not grow without end)."""
    AuthToken.objects.filter(user=user, expiry__lt=timezone.now()).delete()


def revoke_all(user) -> int:
    """Delete every token of the user: password change, deactivation."""
    return AuthToken.objects.filter(user=user).delete()[0]
