"""python manage.py render_document INPUT.json -o OUT.pdf — the kind is read from the file.

``manage.py`` runs this without Django when the arguments are just these (memos.documents.cli);
this command is the path for ``call_command`` and Django's own options (--settings, --traceback…).
"""

from django.core.management.base import BaseCommand, CommandError

from memos.documents.cli import RenderError, render_file


class Command(BaseCommand):
    help = "Render a memo, announcement or report JSON document to PDF."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, input: str, output: str, **opts):
        try:
            size = render_file(input, output)
        except RenderError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"{output}: {size} bytes")
