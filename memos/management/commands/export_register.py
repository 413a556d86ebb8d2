"""``manage.py export_register --year 2569 [-o FILE]``: the register of a Buddhist-era year.

FILE.json / FILE.zip: the auditor's export with every memo's decision record
(``memos.register_export.export_register``); FILE.xlsx / FILE.csv / FILE.pdf: the register book
(ทะเบียนหนังสือส่ง, แบบที่ ๑๔) as the clerk's page exports it (``book_rows``).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memos import register_export
from memos.models import Agency
from memos.register_export import export_register, to_json, to_zip

BOOKS = {".xlsx", ".csv", ".pdf"}


class Command(BaseCommand):
    help = ("Write the register (ทะเบียนหนังสือส่ง) of a Buddhist-era year: JSON with every memo's decision "
            "record, a ZIP with a README and an offline checker (FILE.zip), or the register book as "
            "FILE.xlsx, FILE.csv or FILE.pdf.")

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True, help="Buddhist-era year, e.g. 2569")
        parser.add_argument("--agency", help="agency code (default: every agency)")
        parser.add_argument("-o", "--output", help="FILE.json, .zip, .xlsx, .csv or .pdf (default: JSON on standard output)")

    def handle(self, *args, year, agency=None, output=None, **options):
        if year < 2400:
            raise CommandError("--year is a Buddhist-era year (พ.ศ.), e.g. 2569")
        path = Path(output) if output else None
        if path is not None and path.suffix.lower() in BOOKS:
            agencies = list(Agency.objects.filter(code=agency)) if agency else None
            if agency and not agencies:
                raise CommandError(f"no agency with code {agency!r}")
            rows = register_export.book_rows(year, [a.pk for a in agencies] if agencies else None)
            name = agencies[0].name if agencies else ""
            suffix = path.suffix.lower()
            if suffix == ".xlsx":
                path.write_bytes(register_export.to_xlsx(rows, year, name))
            elif suffix == ".csv":
                path.write_bytes(register_export.to_csv(rows))
            else:
                path.write_bytes(register_export.to_pdf(rows, year, name))
            self.stderr.write(f"{path}: {len(rows)} register lines")
            return
        export = export_register(year, agency)
        if path is None:
            self.stdout.write(to_json(export).decode("utf-8"))
            return
        path.write_bytes(to_zip(export) if path.suffix.lower() == ".zip" else to_json(export))
        records = sum(len(m["records"]) for m in export["memos"])
        self.stderr.write(f"{path}: {len(export['memos'])} memos, {records} records")
