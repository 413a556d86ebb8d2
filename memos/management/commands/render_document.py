"""python manage.py render_document INPUT.json -o OUT.pdf — the kind is read from the file."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memos.documents import DocumentError, render_pdf


class Command(BaseCommand):
    help = "Render a memo, announcement or report JSON document to PDF."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, input: str, output: str, **opts):
        try:
            data = json.loads(Path(input).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{input}: no such file") from None
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise CommandError(f"{input}: not JSON ({exc})") from None
        try:
            pdf = render_pdf(data)
        except DocumentError as exc:
            raise CommandError(f"{input}: {exc.errors[0]}" + (f" (+{len(exc.errors) - 1} more)" if len(exc.errors) > 1 else "")) from None
        Path(output).parent.mkdir(parents=True, exist_ok=True)
        Path(output).write_bytes(pdf)
        self.stdout.write(f"{output}: {len(pdf)} bytes")
