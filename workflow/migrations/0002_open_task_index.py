"""An index for "my open tasks, oldest first" (the task list, the home page, the menu badge).

viewflow's task table has single-column indexes only (owner, status, created …), so the list of
an official with thousands of open tasks joined every one of them to its memo and sorted them to
show fifty (22 ms at 3,000 open tasks, bench/http_load.py). This partial index holds the open
tasks alone, by owner in the list's order: the page is read in order and stops at its last row
(1.4 ms). PostgreSQL and SQLite both have partial indexes."""

from django.db import migrations


def _analyze_often(apps, schema_editor) -> None:
    """PostgreSQL re-reads a table's statistics after 10 % of its rows change: on a task table of
    a million rows, open tasks could grow by thousands while the planner still believed there were
    none, and sorted them all instead of using the index above. Every 1,000 changes instead."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE viewflow_task SET (autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX task_open_by_owner ON viewflow_task (owner_id, created, id) WHERE status = 'ASSIGNED'",
            reverse_sql="DROP INDEX task_open_by_owner",
        ),
        migrations.RunPython(_analyze_often, migrations.RunPython.noop),
    ]
