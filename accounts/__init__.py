"""Accounts: API tokens that expire and can be revoked, and the failed-login lockout."""
