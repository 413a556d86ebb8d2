"""The decision record (issue 11): a new append-only table, with the triggers of 0004's pattern.

A new table, so no protected table is rebuilt (their triggers stay). The rows are never updated
or deleted, by the app (``AppendOnly``) or by raw SQL (these triggers, PostgreSQL and SQLite).
"""

import django.db.models.deletion
from django.db import migrations, models

RULES = [
    ("memos_decisionrecord_no_delete", "memos_decisionrecord", "DELETE",
     "memos_decisionrecord is append-only: never deleted"),
    ("memos_decisionrecord_no_update", "memos_decisionrecord", "UPDATE",
     "memos_decisionrecord is append-only: never updated"),
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, event, message in RULES:
        if vendor == "postgresql":
            schema_editor.execute(f"""
                CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    RAISE EXCEPTION '{message}' USING ERRCODE = 'restrict_violation';
                END
                $$""")
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
        elif vendor == "sqlite":
            schema_editor.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW "
                f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
            )
        else:
            raise RuntimeError(f"append-only triggers are written for PostgreSQL and SQLite, not {vendor}")


def remove(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for name, table, *_ in RULES:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0005_verification_code"),
    ]

    operations = [
        migrations.CreateModel(
            name="DecisionRecord",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("seq", models.PositiveIntegerField()),
                ("action", models.CharField(max_length=30)),
                ("fields", models.JSONField(default=dict)),
                ("content_sha256", models.CharField(max_length=64)),
                ("prev_sha256", models.CharField(max_length=64)),
                ("sha256", models.CharField(max_length=64, unique=True)),
                ("signature", models.BinaryField(blank=True, null=True)),
                ("at", models.DateTimeField()),
                ("memo", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="records", to="memos.memo")),
            ],
            options={
                "verbose_name": "บันทึกการพิจารณา",
                "verbose_name_plural": "บันทึกการพิจารณา",
                "ordering": ["memo", "seq"],
                "constraints": [models.UniqueConstraint(fields=("memo", "seq"), name="decision_record_seq_unique")],
            },
        ),
        migrations.RunPython(install, remove),
    ]
