"""``python -m memos.documents render INPUT.json -o OUT.pdf``: render without starting Django.

Why: typesetting is pure (JSON in, PDF bytes out), and a one-off render used to spend most of its time
in ``django.setup()`` (every installed app, DRF, Celery) before drawing anything. ``manage.py
render_document`` takes this path too (see manage.py) and stays the documented command.
``python -m memos.documents cache`` builds the word-list cache ahead of use (thai.word_lists).
"""

from __future__ import annotations

import argparse
import gc
import json
import sys
from pathlib import Path


class RenderError(Exception):
    """Bad input, said in one line: the file, then what is wrong with it."""


def render_file(input: str, output: str) -> int:
    """Render ``input`` (a memo, announcement or report JSON) to ``output``; the PDF's size in bytes."""
    from . import DocumentError, render_pdf

    try:
        data = json.loads(Path(input).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RenderError(f"{input}: no such file") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RenderError(f"{input}: not JSON ({exc})") from None
    try:
        pdf = render_pdf(data)
    except DocumentError as exc:
        more = f" (+{len(exc.errors) - 1} more)" if len(exc.errors) > 1 else ""
        raise RenderError(f"{input}: {exc.errors[0]}{more}") from None
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    Path(output).write_bytes(pdf)
    return len(pdf)


def _parser(prog: str | None) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Render a memo, announcement or report JSON document to PDF.")
    sub = parser.add_subparsers(dest="command", required=True)
    render = sub.add_parser("render", help="render INPUT.json to PDF")
    render.add_argument("input")
    render.add_argument("-o", "--output", required=True)
    sub.add_parser("cache", help="build the Thai word-list cache (var/cache)")
    return parser


def main(argv: list[str] | None = None, prog: str | None = None) -> int:
    """The exit status: 0, or 1 with one line on stderr (as Django's CommandError prints it)."""
    args = _parser(prog).parse_args(argv)
    # A one-off process: no cyclic garbage collection while it imports and renders (the collector
    # walked the few hundred thousand objects of the imported libraries several times, for nothing
    # to free); what a render allocates goes when the process ends.
    gc.disable()
    try:
        return _run(args)
    finally:
        gc.enable()


def _run(args: argparse.Namespace) -> int:
    if args.command == "cache":
        from .thai import cache_path, word_lists

        base, full = word_lists()
        print(f"{cache_path()}: {len(full)} words")
        return 0
    try:
        size = render_file(args.input, args.output)
    except RenderError as exc:
        print(f"CommandError: {exc}", file=sys.stderr)
        return 1
    print(f"{args.output}: {size} bytes")
    return 0
