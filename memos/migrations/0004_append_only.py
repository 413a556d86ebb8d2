"""Issued records are append-only, in the database itself (issue 9).

The models refuse these changes too (``AppendOnlyError``, PROTECT foreign keys), but a bulk
UPDATE, raw SQL, a shell or a bug goes around the models; these triggers do not let it. The same
rules on PostgreSQL (plpgsql, RAISE EXCEPTION with SQLSTATE 23001 restrict_violation) and SQLite
(RAISE(ABORT, …)); Django raises IntegrityError on both.

- memos_decision: never deleted; the one update is ``superseded`` false → true (a resubmit).
- memos_historyentry, memos_issueddocument: never updated or deleted.
- memos_announcement: never deleted; the one update is clearing ``published_at`` (withdraw, final).
- memos_memo: a numbered memo is never deleted; number, register_year and date never change once
  set; once submitted (not draft/returned) its content does not change; issued and rejected are
  final states.
- memos_registercounter: never deleted; the last number only grows (a number is never freed).

Column lists are frozen here. Test databases are emptied with TRUNCATE on PostgreSQL, which these
row triggers do not see. On SQLite, Django rebuilds a table for most column changes and the
rebuild drops that table's triggers: a later migration that alters one of these tables must run
``install`` again (tests/test_append_only.py migrates a fresh SQLite database and checks them all).
"""

import django.db.models.deletion
from django.db import migrations, models

EDITABLE_STATES = ("draft", "returned")
FINAL_STATES = ("issued", "rejected")
MEMO_CONTENT = (
    "id", "agency_id", "unit_id", "drafter_id", "drafter_position_id",
    "phone", "subject", "addressee", "sections", "closing", "announcement",
)
DECISION_FIXED = (
    "id", "memo_id", "round", "step", "task_id", "official_id", "position_id", "official_name",
    "position_title", "own_position_title", "acting_kind", "signing_for_title", "signature", "comment",
    "decision", "decided_at",
)  # all but superseded
ANNOUNCEMENT_FIXED = (
    "id", "memo_id", "agency_id", "subject", "paragraphs", "date", "signer_name", "signer_position",
    "document_id",
)  # all but published_at


def _states(states):
    return "(" + ", ".join(f"'{s}'" for s in states) + ")"


def _changed(columns, ne):
    """True when any of the columns changes; ``ne`` is the backend's null-safe "differs"."""
    return "(" + " OR ".join(f'NEW."{c}" {ne} OLD."{c}"' for c in columns) + ")"


def rules(ne):
    """(trigger name, table, event, condition that refuses, message). ``ne`` as in _changed."""
    register_changed = " OR ".join(
        f'(OLD."{c}" IS NOT NULL AND NEW."{c}" {ne} OLD."{c}")' for c in ("number", "register_year", "date")
    )
    return [
        ("memos_memo_keep_numbered", "memos_memo", "DELETE", 'OLD."number" IS NOT NULL',
         "memos_memo: a numbered memo is never deleted (its register number is never freed)"),
        ("memos_memo_keep_register", "memos_memo", "UPDATE", register_changed,
         "memos_memo: number, register_year and date never change once set"),
        ("memos_memo_keep_final", "memos_memo", "UPDATE",
         f'OLD."state" IN {_states(FINAL_STATES)} AND NEW."state" {ne} OLD."state"',
         "memos_memo: an issued or rejected memo keeps its state"),
        ("memos_memo_keep_content", "memos_memo", "UPDATE",
         f'OLD."state" NOT IN {_states(EDITABLE_STATES)} AND {_changed(MEMO_CONTENT, ne)}',
         "memos_memo: content changes only while a draft or returned"),
        ("memos_decision_no_delete", "memos_decision", "DELETE", "1 = 1",
         "memos_decision is append-only: a decision is never deleted"),
        ("memos_decision_no_update", "memos_decision", "UPDATE",
         f'{_changed(DECISION_FIXED, ne)} OR (OLD."superseded" AND NOT NEW."superseded")',
         "memos_decision is append-only: only superseded may change, from false to true"),
        ("memos_historyentry_no_delete", "memos_historyentry", "DELETE", "1 = 1",
         "memos_historyentry is append-only: never deleted"),
        ("memos_historyentry_no_update", "memos_historyentry", "UPDATE", "1 = 1",
         "memos_historyentry is append-only: never updated"),
        ("memos_issueddocument_no_delete", "memos_issueddocument", "DELETE", "1 = 1",
         "memos_issueddocument is append-only: never deleted"),
        ("memos_issueddocument_no_update", "memos_issueddocument", "UPDATE", "1 = 1",
         "memos_issueddocument is append-only: never updated"),
        ("memos_announcement_no_delete", "memos_announcement", "DELETE", "1 = 1",
         "memos_announcement is append-only: never deleted (withdraw it instead)"),
        ("memos_announcement_no_update", "memos_announcement", "UPDATE",
         f'{_changed(ANNOUNCEMENT_FIXED, ne)} OR (NEW."published_at" IS NOT NULL AND NEW."published_at" {ne} OLD."published_at")',
         "memos_announcement is append-only: only published_at may be cleared (withdraw)"),
        ("memos_registercounter_no_delete", "memos_registercounter", "DELETE", "1 = 1",
         "memos_registercounter: a register is never deleted"),
        ("memos_registercounter_only_up", "memos_registercounter", "UPDATE",
         f'{_changed(("id", "agency_id", "year"), ne)} OR NEW."last_number" < OLD."last_number"',
         "memos_registercounter: the last number only grows (a number is never freed)"),
    ]


def _postgresql(name, table, event, condition, message):
    yield f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF {condition} THEN
                RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END
        $$"""
    yield f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()"


def _sqlite(name, table, event, condition, message):
    yield (
        f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW WHEN {condition} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
    )


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for rule in rules("IS DISTINCT FROM"):
            for sql in _postgresql(*rule):
                schema_editor.execute(sql)
    elif vendor == "sqlite":
        for rule in rules("IS NOT"):
            for sql in _sqlite(*rule):
                schema_editor.execute(sql)
    else:
        raise RuntimeError(f"append-only triggers are written for PostgreSQL and SQLite, not {vendor}")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, *_ in rules("IS NOT"):
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0003_attachment_publish"),
    ]

    operations = [
        # Python-side only (Django keeps on_delete out of the schema): deleting a memo is refused
        # while it has decisions, history or documents, instead of taking them with it.
        migrations.AlterField(
            model_name="decision",
            name="memo",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="decisions", to="memos.memo"),
        ),
        migrations.AlterField(
            model_name="historyentry",
            name="memo",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="history", to="memos.memo"),
        ),
        migrations.AlterField(
            model_name="issueddocument",
            name="memo",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="documents", to="memos.memo"),
        ),
        migrations.RunPython(install, remove),
    ]
