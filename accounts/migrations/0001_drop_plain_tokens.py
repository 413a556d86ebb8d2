"""DRF's tokens (``rest_framework.authtoken``) were stored in plain text and never expired; knox's
replace them. Drop their table and forget its migrations, so that no old token survives and the
app could be installed again from scratch. Portable SQL (PostgreSQL and SQLite); nothing to undo."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies: list = []

    operations = [
        migrations.RunSQL(
            [
                "DROP TABLE IF EXISTS authtoken_token",
                "DELETE FROM django_migrations WHERE app = 'authtoken'",
            ],
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
