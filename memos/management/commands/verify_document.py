"""``manage.py verify_document FILE.pdf``: the same verdict as /verify/, on the command line
(an auditor with a PDF and shell access to the server). Exit status 0 authentic, 1 modified,
2 unknown, 3 not a readable PDF."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from memos.verification import BadPdf, by_pdf

EXIT = {"authentic": 0, "modified": 1, "unknown": 2}
LABEL = {"authentic": "ของจริง (authentic)", "modified": "ถูกแก้ไข (modified)", "unknown": "ไม่ทราบที่มา (unknown)"}


class Command(BaseCommand):
    help = "Verify the signature of an issued PDF: authentic / modified / unknown"

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--json", action="store_true", help="print the full result as JSON")

    def handle(self, *args, file: Path, json: bool = False, **opts):
        logging.getLogger("pyhanko").setLevel(logging.CRITICAL)  # path-building tracebacks: the verdict says it
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from None
        try:
            result = by_pdf(data)
        except BadPdf as exc:
            self.stderr.write(f"{file}: {exc}")
            sys.exit(3)
        if json:
            self.stdout.write(_json(result.as_dict()))
        else:
            self._print(file, result)
        sys.exit(EXIT[result.verdict.status])

    def _print(self, file, result) -> None:
        v = result.verdict
        w = self.stdout.write
        w(f"{file}: {LABEL[v.status]}")
        if v.reasons:
            w(f"  reasons: {', '.join(v.reasons)}")
        w(f"  signed by: {v.signer or '-'}")
        w(f"  approver: {v.signer_name or '-'}  ({v.reason or '-'})")
        w(f"  intact: {v.intact}  valid: {v.valid}  chain to trust root: {v.trusted}  changes after signing: {v.changed_after or '-'}")
        w(f"  time-stamp: {'valid' if v.timestamp_valid else ('invalid' if v.timestamped else 'none')}  signing time: {v.signing_time or '-'}")
        w(f"  LTV data (DSS): {'present' if v.ltv else 'absent'}")
        if result.kind:
            w(f"  issued document: {result.kind}, code {result.code}")
            for k, val in result.details.items():
                w(f"    {k}: {val}")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)
