"""Accounts and tokens (issue 9, point 7) and deploy defaults (point 8), through HTTP and real processes.

Token expiry is tested by moving a token's recorded times in the database, as the passing of hours
would; the lockout with the product's own limits (``AXES_FAILURE_LIMIT``, 10 by default).
"""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from .conftest import PASSWORD, create_memo, my_task

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[1]
LOCKED = "เข้าสู่ระบบผิดหลายครั้งเกินไป"


def _token(username: str, password: str = PASSWORD, **extra) -> tuple[int, dict]:
    r = APIClient().post("/api/auth/token/", {"username": username, "password": password}, format="json", **extra)
    return r.status_code, r.json()


def _client(token: str) -> APIClient:
    c = APIClient()
    c.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return c


def _row(token: str) -> AuthToken:
    return AuthToken.objects.get(token_key=token[:15])


def _me(token: str) -> int:
    return _client(token).get("/api/me/").status_code


# Tokens: issue, use, revoke, expire


def test_a_token_works_until_logout_revokes_it(demo):
    status, body = _token("rewadee")
    assert status == 200 and set(body) == {"token", "expiry"}
    other = _token("rewadee")[1]["token"]  # a second device
    assert body["token"] != other
    assert not AuthToken.objects.filter(digest__contains=body["token"]).exists()  # stored as a digest only
    assert _me(body["token"]) == 200

    assert _client(body["token"]).post("/api/auth/logout/").status_code == 204
    r = _client(body["token"]).get("/api/me/")
    assert r.status_code == 401 and r.json()["message"]
    assert _me(other) == 200  # logout revokes the token used, not the other device's
    assert APIClient().post("/api/auth/logout/").status_code == 401


def test_an_unused_token_expires_after_the_idle_time(demo):
    token = _token("rewadee")[1]["token"]
    row = _row(token)
    assert abs(row.expiry - (row.created + timedelta(hours=8))) < timedelta(seconds=5)  # the default
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    r = _client(token).get("/api/me/")
    assert r.status_code == 401 and r.json()["message"]
    assert not AuthToken.objects.filter(pk=row.pk).exists()  # an expired token is deleted when presented


def test_use_extends_a_token_but_writes_at_most_once_a_minute(demo):
    token = _token("anchana")[1]["token"]
    row = _row(token)
    # last used seven hours ago: one hour of its idle time is left
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() + timedelta(hours=1))
    assert _me(token) == 200
    row.refresh_from_db()
    assert abs(row.expiry - (timezone.now() + timedelta(hours=8))) < timedelta(seconds=30)

    client = _client(token)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/tasks/").status_code == 200
    sql = [q["sql"] for q in ctx.captured_queries]
    token_queries = [q for q in sql if "knox_authtoken" in q]
    assert len(token_queries) == 1 and token_queries[0].startswith("SELECT"), sql  # one read, no write
    assert len(sql) <= 4, sql


def test_a_token_dies_at_its_maximum_age_however_much_it_is_used(demo):
    token = _token("anchana")[1]["token"]
    row = _row(token)
    created = timezone.now() - timedelta(days=7) + timedelta(minutes=10)
    AuthToken.objects.filter(pk=row.pk).update(created=created, expiry=timezone.now() + timedelta(minutes=5))
    assert _me(token) == 200
    row.refresh_from_db()
    assert row.expiry == created + timedelta(days=7)  # extended only to the maximum age, not by 8 hours
    # ten minutes later
    AuthToken.objects.filter(pk=row.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    assert _me(token) == 401


def test_a_password_change_revokes_all_of_the_users_tokens(demo):
    first, second = _token("rewadee")[1]["token"], _token("rewadee")[1]["token"]
    bystander = _token("anchana")[1]["token"]
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    user = get_user_model().objects.get(username="rewadee")
    r = admin.post(
        f"/admin/auth/user/{user.pk}/password/",
        {"password1": "a-new-password-2569", "password2": "a-new-password-2569", "usable_password": "true"},
    )
    assert r.status_code == 302, r.content[:1000]
    assert _me(first) == 401 and _me(second) == 401
    assert _me(bystander) == 200
    assert _token("rewadee", "a-new-password-2569")[0] == 200


def test_the_silent_hash_upgrade_at_login_is_no_password_change(demo, settings):
    token = _token("rewadee")[1]["token"]  # the demo's passwords are MD5 hashes in the tests
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.MD5PasswordHasher",
    ]
    assert _token("rewadee")[0] == 200  # Django re-hashes the password with PBKDF2 here
    assert get_user_model().objects.get(username="rewadee").password.startswith("pbkdf2_sha256$")
    assert _me(token) == 200


def test_deactivation_revokes_the_users_tokens(demo):
    token = _token("anchana")[1]["token"]
    user = get_user_model().objects.get(username="anchana")
    user.is_active = False
    user.save()
    assert not AuthToken.objects.filter(user=user).exists()
    user.is_active = True
    user.save()
    assert _me(token) == 401  # reactivating does not bring the tokens back


def test_the_token_endpoint_refuses_bad_input_with_a_message(demo):
    for body in ({}, {"username": [], "password": "x"}, {"username": "rewadee", "password": {}},
                 {"username": "rewa\x00dee", "password": "x"}):
        r = APIClient().post("/api/auth/token/", body, format="json")
        assert r.status_code == 400 and r.json()["message"] and r.json()["field"], (body, r.content)
    assert _token("rewadee", "wrong") == (400, {"message": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง"})


# Failed logins: per username and per address, on the token endpoint, the login page and the admin


def test_a_username_is_locked_after_repeated_failures_from_any_address(demo):
    limit = django_settings.AXES_FAILURE_LIMIT
    statuses = [_token("rewadee", "wrong", REMOTE_ADDR=f"192.0.2.{i}")[0] for i in range(1, limit + 1)]
    assert statuses == [400] * (limit - 1) + [429]
    status, body = _token("rewadee", REMOTE_ADDR="198.51.100.1")  # the right password, a fresh address
    assert status == 429 and LOCKED in body["message"] and set(body) == {"message"}
    assert _token("anchana")[0] == 200  # another user, from 127.0.0.1, is not affected


def test_an_address_is_locked_after_failures_across_usernames(demo):
    limit = django_settings.AXES_FAILURE_LIMIT
    for i in range(limit):
        _token(f"nobody{i}", "wrong", REMOTE_ADDR="192.0.2.77")
    status, body = _token("rewadee", REMOTE_ADDR="192.0.2.77")
    assert status == 429 and LOCKED in body["message"]
    # a forged X-Forwarded-For does not make a new address (no proxy is configured)
    assert _token("rewadee", REMOTE_ADDR="192.0.2.77", HTTP_X_FORWARDED_FOR="203.0.113.5")[0] == 429
    assert _token("rewadee", REMOTE_ADDR="192.0.2.78")[0] == 200


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(demo, settings):
    settings.REVERSE_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "192.0.2.1"}
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        _token(f"nobody{i}", "wrong", HTTP_X_FORWARDED_FOR=f"10.{i}.0.1, 198.51.100.9", **proxy)
    # the client forges the left part: still itself
    assert _token("rewadee", HTTP_X_FORWARDED_FOR="203.0.113.1, 198.51.100.9", **proxy)[0] == 429
    # another client behind the same proxy is not locked out with it
    assert _token("rewadee", HTTP_X_FORWARDED_FOR="198.51.100.10", **proxy)[0] == 200


def test_the_login_page_says_in_thai_that_the_user_is_locked_out(demo):
    browser = Client()
    for i in range(django_settings.AXES_FAILURE_LIMIT - 1):
        r = browser.post("/accounts/login/", {"username": "rewadee", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i}")
        assert r.status_code == 200 and LOCKED not in r.content.decode()
    r = browser.post("/accounts/login/", {"username": "rewadee", "password": "wrong"})
    assert r.status_code == 429 and LOCKED in r.content.decode()
    r = browser.post("/accounts/login/", {"username": "rewadee", "password": PASSWORD})
    html = r.content.decode()
    assert r.status_code == 429 and LOCKED in html and 'name="password"' in html  # the form, to try later
    assert "_auth_user_id" not in browser.session


def test_the_admin_login_is_throttled_too(demo):
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        r = Client().post("/admin/login/", {"username": "admin", "password": "wrong"}, REMOTE_ADDR=f"192.0.2.{i}")
    assert r.status_code == 429 and LOCKED in r.content.decode()
    r = Client().post("/admin/login/", {"username": "admin", "password": PASSWORD})
    assert r.status_code == 429


def test_successful_logins_never_count_towards_a_lockout(demo):
    for _ in range(3 * django_settings.AXES_FAILURE_LIMIT):
        assert _token("rewadee")[0] == 200
        r = Client().post("/accounts/login/", {"username": "anchana", "password": PASSWORD})
        assert r.status_code == 302


# Someone else's task


def test_someone_elses_task_page_is_a_404_like_an_unknown_one(api):
    create_memo(api)
    memo_id = api("rewadee").get("/api/memos/").json()["results"][0]["id"]
    assert api("rewadee").post(f"/api/memos/{memo_id}/submit/").status_code == 200
    task = my_task(api, "anchana")
    outsider = Client()
    outsider.force_login(get_user_model().objects.get(username="phichet"))
    mine, unknown = outsider.get(f"/tasks/{task}/"), outsider.get("/tasks/999999/")
    assert mine.status_code == unknown.status_code == 404
    assert "ไม่พบงานนี้" in mine.content.decode()


# The schema and the docs


def test_schema_and_docs_need_a_login(demo):
    r = Client().get("/api/schema/")
    assert r.status_code == 401 and b"/api/tasks/" not in r.content
    r = Client().get("/api/docs/")  # a browser: to the login page, and back after it
    assert r.status_code == 302 and r["Location"] == "/accounts/login/?next=/api/docs/"
    r = _client("not-a-token").get("/api/docs/")
    assert r.status_code == 401
    token = _token("rewadee")[1]["token"]
    r = _client(token).get("/api/schema/")
    assert r.status_code == 200 and b"/api/auth/logout/" in r.content
    browser = Client()
    browser.force_login(get_user_model().objects.get(username="rewadee"))
    assert browser.get("/api/schema/").status_code == 200
    assert browser.get("/api/docs/").status_code == 200


def test_the_docs_page_loads_nothing_from_another_host(demo):
    browser = Client()
    browser.force_login(get_user_model().objects.get(username="rewadee"))
    html = browser.get("/api/docs/").content.decode()
    urls = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert any("swagger-ui-bundle" in u for u in urls), urls
    assert not re.search(r"https?://|//[a-z0-9.-]+\.[a-z]{2,}/", html), html
    for url in urls:
        assert url.startswith("/"), url
        assert browser.get(url).status_code == 200, url  # served by us
    # the page's script fetches the schema from this site
    assert "/api/schema/" in html
    # the login page navigates with Turbo; this page must be loaded whole, or its scripts never run
    assert '<meta name="turbo-visit-control" content="reload">' in html


# Deploy defaults (processes started as in production)


def _settings_env(tmp_path, **env) -> dict:
    keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return keep | {"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings"} | env


PRODUCTION = {  # the production environment the README documents (next to a real host name and key)
    "ALLOWED_HOSTS": "saraban.example.go.th",
    "CSRF_TRUSTED_ORIGINS": "https://saraban.example.go.th",
    "SITE_URL": "https://saraban.example.go.th",
    "SECURE_PROXY_SSL_HEADER": "HTTP_X_FORWARDED_PROTO,https",
    "REVERSE_PROXY_COUNT": "1",
    "SECURE_SSL_REDIRECT": "true",
    "SECURE_HSTS_SECONDS": "31536000",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
    "SECURE_HSTS_PRELOAD": "true",
    "SESSION_COOKIE_SECURE": "true",
    "CSRF_COOKIE_SECURE": "true",
}


def _manage(tmp_path, *args, **env) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=_settings_env(tmp_path, **env),
                          capture_output=True, text=True, timeout=120)


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    r = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                SECRET_KEY=secrets.token_urlsafe(50), **PRODUCTION)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no issues" in r.stdout


def test_without_a_secret_key_and_debug_off_the_product_does_not_start(tmp_path):
    r = _manage(tmp_path, "check", **PRODUCTION)
    assert r.returncode != 0
    assert "ImproperlyConfigured: SECRET_KEY is not set" in r.stderr, r.stderr
    r = _manage(tmp_path, "check", DEBUG="1")  # development still starts on its own key
    assert r.returncode == 0, r.stderr


def test_token_lifetime_and_lockout_come_from_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.REST_KNOX['TOKEN_TTL'].total_seconds(), s.REST_KNOX['AUTO_REFRESH_MAX_TTL'].days, "
        "s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds())"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
        env=_settings_env(tmp_path, SECRET_KEY="x" * 50, API_TOKEN_IDLE_HOURS="2", API_TOKEN_MAX_AGE_DAYS="1",
                          AXES_FAILURE_LIMIT="5", AXES_COOLOFF_MINUTES="30"),
    )
    assert r.stdout.split() == ["7200.0", "1", "5", "1800.0"], r.stderr


def test_compose_takes_its_secret_and_hosts_from_the_environment():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    assert {"postgres", "redis", "mailpit", "web", "worker", "beat"} <= set(compose["services"])
    env = compose["x-app"]["environment"]
    assert env["SECRET_KEY"].startswith("${SECRET_KEY:?")  # compose refuses to start without one
    assert env["ALLOWED_HOSTS"].startswith("${ALLOWED_HOSTS") and "*" not in env["ALLOWED_HOSTS"]
    for name in PRODUCTION:
        assert env[name].startswith(f"${{{name}"), name  # each production setting can be passed through
