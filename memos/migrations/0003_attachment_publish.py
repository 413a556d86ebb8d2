from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("memos", "0002_outbox_and_issuing"),
    ]

    operations = [
        migrations.AddField(
            model_name="attachment",
            name="publish",
            field=models.BooleanField(default=False, verbose_name="เผยแพร่พร้อมประกาศ"),
        ),
    ]
