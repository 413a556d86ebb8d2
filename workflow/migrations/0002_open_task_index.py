"""An index for "my open tasks, oldest first" (the task list, the home page, the menu badge).

viewflow's task table has single-column indexes only (owner, status, created …), so the list of
an official with thousands of open tasks joined every one of them to its memo and sorted them to
show fifty (22 ms at 3,000 open tasks, bench/http_load.py). This partial index holds the open
tasks alone, by owner in the list's order: the page is read in order and stops at its last row
(1.4 ms). PostgreSQL and SQLite both have partial indexes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("workflow", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(
            sql="CREATE INDEX task_open_by_owner ON viewflow_task (owner_id, created, id) WHERE status = 'ASSIGNED'",
            reverse_sql="DROP INDEX task_open_by_owner",
        ),
    ]
