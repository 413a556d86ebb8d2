"""``manage.py export_register --year 2569 [-o FILE]``: the auditor's export (``memos.register_export``)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memos.register_export import export_register, to_json, to_zip


class Command(BaseCommand):
    help = ("Write the register (ทะเบียนหนังสือส่ง) of a Buddhist-era year with every memo's decision record: "
            "JSON, or a ZIP with a README and an offline checker when FILE ends in .zip.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Buddhist-era year, e.g. 2569")
        parser.add_argument("--agency", help="agency code (default: every agency)")
        parser.add_argument("-o", "--output", help="FILE.json or FILE.zip (default: JSON on standard output)")

    def handle(self, *args, year, agency=None, output=None, **options):
        if year < 2400:
            raise CommandError("--year is a Buddhist-era year (พ.ศ.), e.g. 2569")
        export = export_register(year, agency)
        if not output:
            self.stdout.write(to_json(export).decode("utf-8"))
            return
        path = Path(output)
        path.write_bytes(to_zip(export) if path.suffix.lower() == ".zip" else to_json(export))
        records = sum(len(m["records"]) for m in export["memos"])
        self.stderr.write(f"{path}: {len(export['memos'])} memos, {records} records")
