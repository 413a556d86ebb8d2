"""memos.compiled: a read compiled once answers as its queryset does, for any arguments; an insert
written once stores what save() stores and sends the same signals."""

import datetime as dt

import pytest
from django.db import transaction
from django.db.models.signals import post_save, pre_save
from django.test.utils import CaptureQueriesContext

from memos.compiled import Compiled, insert
from memos.models import HistoryEntry, Holding, Memo, Official, Position

pytestmark = pytest.mark.django_db


def _officials(pk):
    return Official.objects.filter(user_id=pk).select_related("user")


def test_a_compiled_read_returns_what_its_queryset_returns(demo):
    read = Compiled(_officials, int)
    for official in Official.objects.select_related("user"):
        (got,) = read(official.user_id)
        assert got.pk == official.pk and got.full_name == official.full_name
        assert got.user.username == official.user.username and got._state.db == "default"
    assert read(10**9) == []


def test_values_and_values_list_rows_and_string_arguments(demo):
    by_name = Compiled(lambda name: Official.objects.filter(user__username=name).values("first_name", "user_id"), str)
    pairs = Compiled(lambda pk, title: Position.objects.filter(pk=pk, title=title).values_list("pk", "title"), int, str)
    anchana = Official.objects.get(user__username="anchana")
    assert by_name("anchana") == [{"first_name": anchana.first_name, "user_id": anchana.user_id}]
    assert by_name("nobody' OR '1'='1") == []  # a parameter, never SQL
    position = Position.objects.first()
    assert pairs(position.pk, position.title) == [(position.pk, position.title)]
    assert pairs(position.pk, position.title + "x") == []


def test_the_sql_is_built_once(demo):
    built = []
    read = Compiled(lambda pk: built.append(pk) or _officials(pk), int)
    users = list(Official.objects.values_list("user_id", flat=True))
    for pk in users:
        assert len(read(pk)) == 1
    assert len(built) == 1


def test_arguments_must_be_of_their_kind_and_reach_the_sql_as_parameters(demo):
    read = Compiled(_officials, int)
    with pytest.raises(TypeError):
        read("1")
    with pytest.raises(TypeError):
        read(1, 2)
    folded = Compiled(lambda pk: Official.objects.filter(user_id=1), int)  # the argument is not used
    with pytest.raises(ValueError):
        folded(1)


@pytest.mark.django_db(transaction=True)
def test_a_locking_read_needs_a_transaction():
    read = Compiled(lambda pk: Memo.objects.select_for_update().filter(pk=pk), int)
    with transaction.atomic():
        assert read(1) == []
    with pytest.raises(transaction.TransactionManagementError):
        read(1)


def test_insert_stores_what_save_stores_and_sends_the_signals(demo):
    official = Official.objects.select_related("user").first()
    holding = Holding.objects.filter(official=official).first()
    sent = []

    def receiver(sender, instance, **kwargs):
        sent.append((kwargs.get("created"), instance.pk is not None))

    pre_save.connect(receiver, sender=Holding)
    post_save.connect(receiver, sender=Holding)
    try:
        row = insert(Holding(official=official, position=holding.position, start=dt.date(2020, 1, 1)))
    finally:
        pre_save.disconnect(receiver, sender=Holding)
        post_save.disconnect(receiver, sender=Holding)
    assert sent == [(None, False), (True, True)]
    stored = Holding.objects.get(pk=row.pk)
    assert (stored.official_id, stored.position_id, stored.start, stored.end) == (
        official.pk, holding.position_id, dt.date(2020, 1, 1), None)
    assert not row._state.adding


def test_insert_fills_auto_now_add(api):
    from .conftest import create_memo

    memo = Memo.objects.get(pk=create_memo(api)["id"])
    user = Official.objects.select_related("user").get(user__username="rewadee").user
    with CaptureQueriesContext(transaction.get_connection()) as q:
        entry = insert(HistoryEntry(memo=memo, actor=user, action="note", detail={"x": "ไทย"}))
    assert len(q.captured_queries) == 1
    stored = HistoryEntry.objects.get(pk=entry.pk)
    assert stored.at is not None and stored.at == entry.at and stored.detail == {"x": "ไทย"}
