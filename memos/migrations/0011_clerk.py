"""Issue 13 items 4–6: the clerk's role, search and the acting order.

- ``Memo.search_text`` (nullable: an ALTER TABLE ADD COLUMN on SQLite too, so memos_memo is not
  rebuilt and keeps its append-only triggers), filled for the memos already there;
  on PostgreSQL the ``pg_trgm`` extension and a trigram GIN index on it (``memos.search``).
- ``Position.deputy``: whose holder acts for the post while its holder is away (``memos.absence``).
- The group "สารบรรณ" (``memos.clerk``).
"""

import django.db.models.deletion
from django.db import migrations, models

INDEX = "memos_memo_search_text_trgm"


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {INDEX} ON memos_memo USING gin (search_text gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


def fill_search_text(apps, schema_editor):
    from memos.search import build_search_text

    Memo = apps.get_model("memos", "Memo")
    Decision = apps.get_model("memos", "Decision")
    for memo in Memo.objects.only("subject", "addressee", "sections", "announcement").iterator(chunk_size=500):
        comments = list(Decision.objects.filter(memo_id=memo.pk).exclude(comment="").values_list("comment", flat=True))
        Memo.objects.filter(pk=memo.pk).update(search_text=build_search_text(memo, comments))


def clerk_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="สารบรรณ")


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("memos", "0010_draft_delete"),
    ]

    operations = [
        migrations.AddField(
            model_name="memo",
            name="search_text",
            field=models.TextField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="position",
            name="deputy",
            field=models.ForeignKey(
                blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                to="memos.position", verbose_name="ผู้ปฏิบัติหน้าที่แทนเมื่อไม่อยู่",
                help_text="ตำแหน่งที่ผู้ดำรงตำแหน่งรักษาราชการแทนเมื่อผู้ดำรงตำแหน่งนี้ลาหรือไม่อยู่",
            ),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(clerk_group, migrations.RunPython.noop),
    ]
