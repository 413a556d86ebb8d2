"""An unnumbered draft may be deleted with its history (issue 13: drafts can be deleted).

A draft that never took a number is the drafter's scratch paper, not an official record: nothing
was registered, reviewed or sent. Its history entries (created, edited, attached) go with it.
The history of any memo that was ever numbered (submitted) stays append-only, as before:
``memos_historyentry_no_delete`` now refuses unless the entry's memo is an unnumbered draft.
The memo row itself was already guarded (``memos_memo_keep_numbered``).
"""

from django.db import migrations

NAME = "memos_historyentry_no_delete"
MESSAGE = "memos_historyentry is append-only: never deleted (except with its unnumbered draft)"
OLD_MESSAGE = "memos_historyentry is append-only: never deleted"
# the entry's memo was numbered, or is no longer a draft: refuse
KEEP = (
    'EXISTS (SELECT 1 FROM memos_memo m WHERE m.id = OLD."memo_id" '
    "AND (m.\"number\" IS NOT NULL OR m.\"state\" <> 'draft'))"
)


def _install(schema_editor, condition: str, message: str) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(f"""
            CREATE OR REPLACE FUNCTION {NAME}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF {condition} THEN
                    RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
                END IF;
                RETURN OLD;
            END
            $$""")
        # the trigger (BEFORE DELETE … EXECUTE FUNCTION) is unchanged; only its function is replaced
    elif vendor == "sqlite":
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {NAME}")
        schema_editor.execute(
            f"CREATE TRIGGER {NAME} BEFORE DELETE ON memos_historyentry FOR EACH ROW WHEN {condition} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )
    else:
        raise RuntimeError(f"append-only triggers are written for PostgreSQL and SQLite, not {vendor}")


def forward(apps, schema_editor):
    _install(schema_editor, KEEP, MESSAGE)


def backward(apps, schema_editor):
    _install(schema_editor, "1 = 1", OLD_MESSAGE)


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0009_office"),
    ]

    operations = [migrations.RunPython(forward, backward)]
