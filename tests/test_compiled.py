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


def _prepared_statements() -> list[tuple[str, int, int]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements")
        return cursor.fetchall()


def test_on_postgresql_a_read_is_a_prepared_statement_with_its_constants_written_in(demo):
    """The constants of the queryset (here a title with quotes, a percent sign and a backslash) are
    literals in the statement, the argument its one parameter; PostgreSQL keeps the statement per
    connection."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's")
    odd = "ผู้อำนวยการ 'กอง' 100% \\ ทดสอบ"
    position = Position.objects.first()
    Position.objects.filter(pk=position.pk).update(title=odd)
    read = Compiled(lambda pk: Position.objects.filter(pk=pk, title=odd).values_list("pk", "title"), int)
    with CaptureQueriesContext(connection) as seen:
        for _ in range(8):
            assert read(position.pk) == [(position.pk, odd)]
    assert len(seen.captured_queries) == 8  # still counted by Django's query log
    assert read(position.pk + 10**6) == []
    (statement, generic, custom) = next(s for s in _prepared_statements() if "100%" in s[0])
    assert "$1" in statement and "$2" not in statement  # the argument alone is a parameter
    assert "'กอง'" in statement.replace("''", "'") and "100%" in statement
    # executions PostgreSQL counted since psycopg last prepared it: all nine when run alone (a generic plan
    # kept once seen five times); fewer within the whole suite, as psycopg deallocates every prepared
    # statement when its connection runs a ROLLBACK or DISCARD (the tests' isolation does) and prepares
    # again at the next call. The bench shows the plans kept: hundreds of generic runs per statement.
    assert generic + custom >= 1


def test_a_value_that_is_not_a_plain_literal_stays_a_parameter(demo):
    """A date among the constants: the read is run as Django runs it (not prepared), same answers."""
    from django.db import connection

    day = dt.date(2000, 1, 1)
    read = Compiled(lambda user: HistoryEntry.objects.filter(actor_id=user, at__date__gte=day).values_list("pk"), int)
    anchana = Official.objects.get(user__username="anchana")
    assert read(anchana.user_id) == list(HistoryEntry.objects.filter(actor_id=anchana.user_id,
                                                                      at__date__gte=day).values_list("pk"))
    plan = next(iter(read._plans.values()))
    assert plan.prepared is None or connection.vendor != "postgresql"
