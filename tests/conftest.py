import pytest
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from memos.models import Memo, Official

PASSWORD = "klongphon-demo"
ROUTE_USERS = ["anchana", "thatsanee", "worawit", "phichet"]


@pytest.fixture
def demo(db):
    call_command("load_demo", "--no-memo", verbosity=0)


@pytest.fixture(scope="session")
def signing_pki(tmp_path_factory):
    """One throw-away demo PKI for the test session (generated on first use, never in var/)."""
    return tmp_path_factory.mktemp("pki")


@pytest.fixture(autouse=True)
def _settings(settings, tmp_path, signing_pki):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.SIGNING_DEMO_DIR = str(signing_pki)
    # Fast hashing for test users; production keeps Django's default.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(username: str) -> Client:
    """A browser session through the real login page (django-axes counts failures by the request)."""
    c = Client()
    r = c.post("/accounts/login/", {"username": username, "password": PASSWORD})
    assert r.status_code == 302, r.content[:500]
    return c


class Api:
    """An API client per user, authenticated with a token obtained through the real endpoint."""

    def __init__(self):
        self._clients: dict[str, APIClient] = {}

    def __call__(self, username: str) -> APIClient:
        if username not in self._clients:
            client = APIClient()
            r = client.post("/api/auth/token/", {"username": username, "password": PASSWORD}, format="json")
            assert r.status_code == 200, r.content
            client.credentials(HTTP_AUTHORIZATION=f"Token {r.json()['token']}")
            self._clients[username] = client
        return self._clients[username]


@pytest.fixture
def api(demo):
    return Api()


SECTIONS = [
    {"heading": "เรื่องเดิม", "paragraphs": ["สำนักงาน ป.ป.ช. ได้ให้หน่วยงานภาครัฐเข้าร่วมการประเมิน ITA"], "items": []},
    {"heading": "ข้อกฎหมายและระเบียบ", "paragraphs": [], "items": ["แผนแม่บท", "ประกาศสำนักงาน ป.ป.ช."]},
]


def memo_payload(**over):
    data = {
        "subject": "รายงานผลการดำเนินการเพื่อส่งเสริมคุณธรรมและความโปร่งใส",
        "addressee": "นายกเทศมนตรีตำบลคลองพน",
        "sections": SECTIONS,
    }
    data.update(over)
    return data


def create_memo(api, **over) -> dict:
    r = api("rewadee").post("/api/memos/", memo_payload(**over), format="json")
    assert r.status_code == 201, r.content
    return r.json()


def my_task(api, username: str) -> int:
    r = api(username).get("/api/tasks/")
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 1, (username, results)
    return results[0]["id"]


def official(username: str) -> Official:
    return Official.objects.get(user__username=username)


def memo(pk: int) -> Memo:
    return Memo.objects.get(pk=pk)
