"""API token authentication: django-rest-knox's tokens (stored as a SHA-512 digest, one per login).

Lifetime (settings ``REST_KNOX``, from ``API_TOKEN_IDLE_HOURS`` and ``API_TOKEN_MAX_AGE_DAYS``): a
token's expiry slides forward on use (``AUTO_REFRESH``), written at most once a minute
(``MIN_REFRESH_INTERVAL``), and never past its creation plus the maximum age
(``AUTO_REFRESH_MAX_TTL``). An unused token dies after the idle time, any token after the maximum age.
"""

from __future__ import annotations

from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import AuthToken


class TokenAuthentication(KnoxTokenAuthentication):
    """knox's authentication with one query per request instead of two.

    knox also loads every other token of the user on each request to delete the expired ones; we
    check only the token presented (an expired one is deleted and refused, as knox does) and purge
    a user's expired tokens when they log in (``purge_expired``) instead.
    """

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
