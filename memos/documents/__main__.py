"""``python -m memos.documents render INPUT.json -o OUT.pdf`` (see cli.py)."""

import sys

from .cli import main

sys.exit(main())
