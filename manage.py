#!/usr/bin/env python
import os
import sys


def render_document_fast(argv: list[str]) -> int | None:
    """``render_document INPUT -o OUT`` without Django start-up (memos.documents.cli): typesetting is
    pure, and ``django.setup()`` was most of a one-off render's time. Any other argument (--settings,
    --traceback, --help…) returns None and the Django command runs."""
    if argv[1:2] != ["render_document"]:
        return None
    inputs, output, rest = [], None, argv[2:]
    while rest:
        arg = rest.pop(0)
        if arg in ("-o", "--output") and rest:
            output = rest.pop(0)
        elif arg.startswith("--output="):
            output = arg.partition("=")[2]
        elif arg.startswith("-"):
            return None
        else:
            inputs.append(arg)
    if len(inputs) != 1 or output is None:
        return None
    from memos.documents.cli import main

    return main(["render", inputs[0], "-o", output])


if __name__ == "__main__":
    status = render_document_fast(sys.argv)
    if status is not None:
        sys.exit(status)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
