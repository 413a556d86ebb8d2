"""``manage.py check_register FILE``: check an ``export_register`` file (JSON or ZIP) offline."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memos.register_export import load
from memos.signing.chain import check_register


class Command(BaseCommand):
    help = ("Recompute every hash and link of an exported register and check the record signatures "
            "with the certificate the export carries. Exit status 1 when anything is wrong.")

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, file, **options):
        try:
            export = load(Path(file).read_bytes())
        except (OSError, ValueError, KeyError) as exc:
            raise CommandError(f"อ่านแฟ้มไม่ได้: {exc}") from exc
        problems, counts = check_register(export)
        for p in problems:
            self.stdout.write(str(p))
        signed = "ตรวจลายมือชื่อแล้ว" if counts["signatures_checked"] else "ไม่ได้ตรวจลายมือชื่อ"
        summary = f"หนังสือ {counts['memos']} ฉบับ บันทึกการพิจารณา {counts['records']} รายการ, {signed}"
        if problems:
            raise CommandError(f"{summary}: พบปัญหา {len(problems)} รายการ")
        self.stdout.write(f"{summary}: ถูกต้องครบถ้วน")
