"""Issue 12 items 3–5: urgency and secrecy on the memo, its CC readers.

Urgency and secrecy are content: once submitted they do not change, like the subject. The
append-only triggers of 0004 on memos_memo are installed again with both columns in the content
list, on PostgreSQL (replaced) and on SQLite, where adding a NOT NULL column rebuilds the table and
the rebuild drops its triggers (0004's docstring). Reversed, the original triggers come back.
"""

import importlib

import django.db.models.deletion
from django.db import migrations, models

_0004 = importlib.import_module("memos.migrations.0004_append_only")
NEW_CONTENT = ("urgency", "secrecy")


def _memo_rules(ne: str, extra: tuple[str, ...]) -> list:
    out = []
    for name, table, event, condition, message in _0004.rules(ne):
        if table != "memos_memo":
            continue
        if name == "memos_memo_keep_content":
            condition = (f'OLD."state" NOT IN {_0004._states(_0004.EDITABLE_STATES)} AND '
                         f"{_0004._changed(_0004.MEMO_CONTENT + extra, ne)}")
        out.append((name, table, event, condition, message))
    return out


def _install(schema_editor, extra: tuple[str, ...]) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for rule in _memo_rules("IS DISTINCT FROM", extra):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {rule[0]} ON {rule[1]}")
            for sql in _0004._postgresql(*rule):
                schema_editor.execute(sql)
    elif vendor == "sqlite":
        for rule in _memo_rules("IS NOT", extra):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {rule[0]}")
            for sql in _0004._sqlite(*rule):
                schema_editor.execute(sql)


def forward(apps, schema_editor):
    _install(schema_editor, NEW_CONTENT)


def backward(apps, schema_editor):
    _install(schema_editor, ())


def backward_after_rebuild(apps, schema_editor):
    """Reversing: the columns' removal rebuilt the SQLite table (and dropped its triggers)."""
    if schema_editor.connection.vendor == "sqlite":
        _install(schema_editor, ())


class Migration(migrations.Migration):

    dependencies = [
        ('memos', '0007_route_templates'),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, backward_after_rebuild),
        migrations.AddField(
            model_name='memo',
            name='secrecy',
            field=models.CharField(choices=[('normal', 'ปกติ'), ('confidential', 'ลับ'), ('secret', 'ลับมาก')], db_default='normal', default='normal', max_length=20, verbose_name='ชั้นความลับ'),
        ),
        migrations.AddField(
            model_name='memo',
            name='urgency',
            field=models.CharField(choices=[('normal', 'ปกติ'), ('urgent', 'ด่วน'), ('very_urgent', 'ด่วนมาก'), ('most_urgent', 'ด่วนที่สุด')], db_default='normal', default='normal', max_length=20, verbose_name='ชั้นความเร็ว'),
        ),
        migrations.CreateModel(
            name='MemoReader',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('order', models.PositiveSmallIntegerField(default=0)),
                ('added_at', models.DateTimeField(auto_now_add=True)),
                ('notified_at', models.DateTimeField(blank=True, null=True)),
                ('read_at', models.DateTimeField(blank=True, null=True)),
                ('note', models.TextField(blank=True, verbose_name='บันทึกของผู้รับสำเนา')),
                ('noted_at', models.DateTimeField(blank=True, null=True)),
                ('memo', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='readers', to='memos.memo')),
                ('official', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='readings', to='memos.official')),
                ('position', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='memos.position')),
            ],
            options={
                'verbose_name': 'ผู้รับสำเนา',
                'verbose_name_plural': 'ผู้รับสำเนา',
                'ordering': ['order', 'id'],
                'indexes': [models.Index(fields=['official', 'memo'], name='memo_reader_official')],
            },
        ),
        migrations.AddIndex(
            model_name='decision',
            index=models.Index(fields=['official', 'memo'], name='decision_official_memo'),
        ),
        migrations.RunPython(forward, backward),
    ]
