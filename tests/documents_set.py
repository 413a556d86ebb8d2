"""The documents every typesetting, text-layer and archival test runs over: the examples, the edge
cases and the published municipal texts in tests/data (whose ``_source`` notes say where)."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "data").glob("*.json"))


def load_doc(path: Path) -> dict:
    """A document file without its notes (``_source``: where a real text was published)."""
    return {k: v for k, v in json.loads(path.read_text(encoding="utf-8")).items() if not k.startswith("_")}
