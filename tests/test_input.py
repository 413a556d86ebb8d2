"""Bad input is a 400 with a message (or is cleaned), never a 500; one length rule per field, from
the model, for the API, the form and the schema; the schema shows what validation enforces."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from memos import mail
from memos.drafting import MemoInput
from memos.models import Decision, Memo, OutboxMessage, Unit
from web.forms import MemoForm

from .conftest import create_memo, login, memo_payload, my_task

pytestmark = pytest.mark.django_db

# characters no stored line may carry: bidi overrides and isolates, zero-width, BOM, C0/C1 controls
INVISIBLE = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200b\u200c\u200d\ufeff\x00\x07\x1b\x7f\x85\x9b"



def submitted(api) -> dict:
    m = create_memo(api)
    r = api("rewadee").post(f"/api/memos/{m['id']}/submit/")
    assert r.status_code == 200, r.content
    return r.json()


def schema(api) -> dict:
    r = api("rewadee").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert r.status_code == 200
    return json.loads(r.content)


# --- NUL and other controls ---------------------------------------------------------------------


def test_nul_in_subject_and_sections_is_removed_not_a_500(api):
    m = create_memo(
        api, subject="รายงาน\x00ผล",
        sections=[{"heading": "หัว\x00ข้อ", "paragraphs": ["ย่อ\x00หน้า"], "items": ["ข้อ\x00ย่อย"]}],
    )
    stored = Memo.objects.get(pk=m["id"])
    assert stored.subject == "รายงานผล"
    assert stored.sections == [{"heading": "หัวข้อ", "paragraphs": ["ย่อหน้า"], "items": ["ข้อย่อย"]}]
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"addressee": "นายก\x00"}, format="json")
    assert r.status_code == 200 and r.json()["addressee"] == "นายก"


def test_nul_in_a_comment_is_removed_not_a_500(api):
    submitted(api)
    r = api("anchana").post(
        f"/api/tasks/{my_task(api, 'anchana')}/decide/", {"decision": "endorse", "comment": "เห็น\x00ควร"},
        format="json",
    )
    assert r.status_code == 200, r.content
    assert Decision.objects.get().comment == "เห็นควร"


def test_nul_in_a_list_search_is_not_a_500(api):
    create_memo(api, subject="งบประมาณ")
    page = login("rewadee").get("/memos/", {"_search": "งบ\x00ประมาณ"})
    assert page.status_code == 200 and "งบประมาณ" in page.content.decode()
    assert login("rewadee").get("/memos/?_search=%00").status_code == 200


def test_single_line_fields_lose_line_breaks_and_invisible_characters(api):
    dirty = f"เรื่อง\r\nBcc: x@example.com\t{INVISIBLE}ทดสอบ"
    m = create_memo(
        api, subject=dirty, addressee=f"\u202eนายก{INVISIBLE}", phone="0-7565\n-0022", closing="จึงเรียน\r\nมา",
        announcement={"subject": f"ประกาศ\n{INVISIBLE}เรื่อง", "paragraphs": ["ข้อความ"]},
    )
    stored = Memo.objects.get(pk=m["id"])
    assert stored.subject == "เรื่อง Bcc: x@example.com ทดสอบ"
    assert stored.addressee == "นายก"
    assert stored.phone == "0-7565 -0022"
    assert stored.closing == "จึงเรียน มา"
    assert stored.announcement["subject"] == "ประกาศ เรื่อง"


def test_multi_line_text_keeps_line_feeds_but_not_nul_or_bidi(api):
    m = create_memo(api, sections=[{"heading": None, "paragraphs": ["บรรทัดหนึ่ง\r\nบรรทัด\u202eสอง\x00"], "items": []}])
    assert Memo.objects.get(pk=m["id"]).sections[0]["paragraphs"] == ["บรรทัดหนึ่ง\nบรรทัดสอง"]
    submitted(api)
    task = my_task(api, "anchana")
    r = api("anchana").post(
        f"/api/tasks/{task}/decide/", {"decision": "endorse", "comment": "หนึ่ง\r\n\u2066สอง\u2069"}, format="json"
    )
    assert r.status_code == 200
    assert Decision.objects.get().comment == "หนึ่ง\nสอง"


@pytest.mark.parametrize("blank", ["   ", "\u200b", "\x00", "\u202e\u202c", "\r\n"])
def test_a_field_of_nothing_visible_is_400(api, blank):
    r = api("rewadee").post("/api/memos/", memo_payload(subject=blank), format="json")
    assert r.status_code == 400 and r.json()["field"] == "subject"
    assert "ต้องไม่เว้นว่าง" in r.json()["message"]
    assert not Memo.objects.exists()


def test_the_form_cleans_by_the_same_rule(demo):
    drafter = login("rewadee")
    r = drafter.post("/memos/new/", {
        "subject": "เรื่อง\x00ทดสอบ\u202e", "addressee": "นายก\u200b", "phone": "", "closing": "จึงเรียนมา",
        "body": "# หัวข้อ\nย่อหน้า\x00\u2067หนึ่ง",
    })
    assert r.status_code == 302, r.content.decode()[:2000]
    memo = Memo.objects.get()
    assert (memo.subject, memo.addressee) == ("เรื่องทดสอบ", "นายก")
    assert memo.sections[0]["paragraphs"] == ["ย่อหน้าหนึ่ง"]


def test_an_email_subject_never_carries_a_line_break(api):
    m = create_memo(api)  # a draft: a submitted memo's content is frozen (memos/migrations/0004)
    memo = Memo.objects.get(pk=m["id"])
    # a subject stored before input was cleaned
    Memo.objects.filter(pk=memo.pk).update(subject="เรื่อง\rBcc: x@example.com\u2028ต่อ")
    memo.refresh_from_db()
    mail.task_assigned(memo, 424242, memo.drafter)
    subject = OutboxMessage.objects.get(key__startswith="mail:task:424242:").payload["subject"]
    assert "\r" not in subject and "\n" not in subject and "\u2028" not in subject
    assert subject.endswith("เรื่อง Bcc: x@example.com ต่อ")


def test_documents_clean_names_by_the_same_rule():
    """Names and titles typed in the admin reach the PDF through the document schema, which cleans
    them like any input."""
    from pathlib import Path

    from memos.documents import parse_document

    data = json.loads((Path(__file__).resolve().parents[1] / "examples" / "memo.json").read_text())
    data["signer"]["name"] = "\u202eนางสาว\r\nเรวดี\u200b ศรีสุขใส\x00"
    assert parse_document(data).signer.name == "นางสาว เรวดี ศรีสุขใส"


# --- lengths: one rule per field, from the model -------------------------------------------------


def test_addressee_length_is_the_columns_for_api_form_and_schema(api):
    column = Memo._meta.get_field("addressee").max_length
    r = api("rewadee").post("/api/memos/", memo_payload(addressee="ก" * (column + 1)), format="json")
    assert r.status_code == 400 and r.json()["field"] == "addressee"
    assert str(column) in r.json()["message"]
    assert create_memo(api, addressee="ก" * column)["addressee"] == "ก" * column
    assert MemoForm().fields["addressee"].max_length == column
    page = login("rewadee").post("/memos/new/", {
        "subject": "x", "addressee": "ก" * (column + 1), "body": "x", "closing": "x",
    })
    assert page.status_code == 200 and Memo.objects.count() == 1  # the form again, with the error
    props = schema(api)["components"]["schemas"]["MemoInput"]["properties"]
    for field in ("subject", "addressee", "phone", "closing"):
        assert props[field]["maxLength"] == Memo._meta.get_field(field).max_length
        assert MemoForm().fields[field].max_length == Memo._meta.get_field(field).max_length


# --- malformed bodies and parameters ------------------------------------------------------------


def test_json_nested_too_deep_is_400(api):
    deep = "[" * 5000 + "]" * 5000
    r = api("rewadee").post("/api/memos/", deep, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"]
    deep_body = '{"decision": ' + deep + "}"
    r = api("anchana").post("/api/tasks/1/decide/", deep_body, content_type="application/json")
    assert r.status_code == 400 and r.json()["message"]
    r = Client().post("/api/auth/token/", deep, content_type="application/json")  # DRF's own parsers
    assert r.status_code == 400 and r.json()["message"]


def test_malformed_json_is_400_in_thai(api):
    r = api("rewadee").post("/api/memos/", '{"subject": "a",', content_type="application/json")
    assert r.status_code == 400 and r.json()["message"].startswith("ข้อมูล JSON ไม่ถูกต้อง")


@pytest.mark.parametrize("unit", [True, "1", 1.0])
def test_unit_is_an_integer_not_something_that_converts_to_one(api, unit):
    r = api("rewadee").post("/api/memos/", memo_payload(unit=unit), format="json")
    assert r.status_code == 400 and r.json()["field"] == "unit", r.content


@pytest.mark.parametrize("decision", [[], {}, None, 5, "maybe"])
def test_a_decision_that_is_not_one_of_the_words_is_400(api, decision):
    submitted(api)
    task = my_task(api, "anchana")
    r = api("anchana").post(f"/api/tasks/{task}/decide/", {"decision": decision, "comment": ""}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "decision", r.content
    r = api("anchana").post(f"/api/tasks/{task}/decide/", {"decision": "endorse", "comment": []}, format="json")
    assert r.status_code == 400 and r.json()["field"] == "comment"
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "url, field",
    [
        ("/api/memos/?offset=1e20", "offset"),
        ("/api/memos/?offset=100000000000000000000", "offset"),
        ("/api/memos/?limit=100000000000000000000", "limit"),
        ("/api/memos/?limit=0", "limit"),
        ("/api/memos/?state=nonsense", "state"),
        ("/api/memos/?state=", "state"),
        ("/api/tasks/?offset=100000000000000000000", "offset"),
        ("/api/tasks/?limit=-1", "limit"),
        ("/api/memos/1/pdf/?kind=letter", "kind"),
    ],
)
def test_out_of_range_parameters_are_400(api, url, field):
    create_memo(api)
    submitted(api)
    r = api("anchana").get(url)
    assert r.status_code == 400 and r.json()["field"] == field, r.content


def test_huge_ids_are_400_or_404_as_json(api):
    r = api("rewadee").post("/api/memos/", memo_payload(unit=10**30), format="json")
    assert r.status_code == 400 and r.json()["field"] == "unit"
    for url in ("/api/memos/99999999999999999999/", "/api/memos/-1/", "/api/memos/null/", "/api/nowhere/"):
        r = api("rewadee").get(url)
        assert r.status_code == 404 and r["Content-Type"] == "application/json" and r.json()["message"]


def test_form_bodies_are_refused_where_only_json_is_documented(api):
    r = api("rewadee").post("/api/memos/", memo_payload(sections="x"), format="multipart")
    assert r.status_code == 415 and r.json()["message"]
    assert not Memo.objects.exists()


# --- the drafter's units ------------------------------------------------------------------------


def test_a_drafter_files_only_under_her_own_units(api):
    own = Unit.objects.get(name="ฝ่ายแผนงานและงบประมาณ")
    division = Unit.objects.get(name="สำนักปลัดเทศบาล")
    other = Unit.objects.get(name="กองช่าง")
    assert create_memo(api, unit=own.pk)["unit"]["id"] == own.pk
    m = create_memo(api)
    assert m["unit"]["id"] == division.pk  # her division by default
    r = api("rewadee").post("/api/memos/", memo_payload(unit=other.pk), format="json")
    assert r.status_code == 403 and r.json()["field"] == "unit"
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"unit": other.pk}, format="json")
    assert r.status_code == 403 and Memo.objects.get(pk=m["id"]).unit == division
    r = api("rewadee").post("/api/memos/", memo_payload(unit=987654), format="json")
    assert r.status_code == 403


def test_editing_a_memo_in_review_is_a_conflict(api):
    m = submitted(api)
    r = api("rewadee").patch(f"/api/memos/{m['id']}/", {"subject": "ใหม่"}, format="json")
    assert r.status_code == 409 and r.json()["field"] == "state"


# --- the schema is the truth --------------------------------------------------------------------


def test_the_request_schema_is_the_validation_model(api):
    doc = schema(api)
    post = doc["paths"]["/api/memos/"]["post"]
    assert list(post["requestBody"]["content"]) == ["application/json"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/MemoInput"}
    patch = doc["paths"]["/api/memos/{memo_id}/"]["patch"]
    assert list(patch["requestBody"]["content"]) == ["application/json"]
    components = doc["components"]["schemas"]
    model = MemoInput.model_json_schema()
    assert set(components["MemoInput"]["properties"]) == set(model["properties"])
    assert components["MemoInput"]["required"] == model["required"]
    patch_body = patch["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert "required" not in components[patch_body]  # PATCH: any of the fields
    assert set(components[patch_body]["properties"]) == set(model["properties"])
    assert components["MemoInput"]["additionalProperties"] is False
    decide = doc["paths"]["/api/tasks/{task_id}/decide/"]["post"]
    decision = components["DecisionInput"]["properties"]["decision"]
    enum = components[decision["allOf"][0]["$ref"].rsplit("/", 1)[1]]["enum"] if "allOf" in decision else decision["enum"]
    assert sorted(enum) == sorted(k.value for k in Decision.Kind)
    assert list(decide["requestBody"]["content"]) == ["application/json"]


def test_responses_are_documented_as_they_are(api):
    doc = schema(api)
    components = doc["components"]["schemas"]
    listing = doc["paths"]["/api/memos/"]["get"]["responses"]
    ref = listing["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert list(components[ref]["properties"]) == ["results"]
    tasks = doc["paths"]["/api/tasks/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert "results" in components[tasks["$ref"].rsplit("/", 1)[1]]["properties"]
    decide = doc["paths"]["/api/tasks/{task_id}/decide/"]["post"]["responses"]
    for code in ("400", "403", "404", "409"):
        body = decide[code]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        assert set(components[body]["properties"]) == {"message", "field"}
