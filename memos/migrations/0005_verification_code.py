"""The verification code printed on each issued document; append-only in the database too, by
the same triggers as migration 0004 (no update, no delete)."""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_append_only = importlib.import_module("memos.migrations.0004_append_only")
RULES = [
    ("memos_verificationcode_no_delete", "memos_verificationcode", "DELETE", "1 = 1",
     "memos_verificationcode is append-only: never deleted"),
    ("memos_verificationcode_no_update", "memos_verificationcode", "UPDATE", "1 = 1",
     "memos_verificationcode is append-only: never updated"),
]


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    make = {"postgresql": _append_only._postgresql, "sqlite": _append_only._sqlite}.get(vendor)
    if make is None:
        raise RuntimeError(f"append-only triggers are written for PostgreSQL and SQLite, not {vendor}")
    for rule in RULES:
        for sql in make(*rule):
            schema_editor.execute(sql)


def remove(apps, schema_editor):
    for name, table, *_ in RULES:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ('memos', '0004_append_only'),
    ]

    operations = [
        migrations.CreateModel(
            name='VerificationCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code', models.CharField(max_length=20, unique=True, verbose_name='รหัสตรวจสอบ')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('document', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='verification', to='memos.issueddocument')),
            ],
            options={
                'verbose_name': 'รหัสตรวจสอบเอกสาร',
                'verbose_name_plural': 'รหัสตรวจสอบเอกสาร',
            },
        ),
        migrations.RunPython(install, remove),
    ]
