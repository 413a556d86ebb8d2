"""Start-up and drawing speed-ups keep their promises, without wall-clock asserts: the one-off render
path starts no Django and reads the word cache instead of building pythainlp's trie; a stale or
broken cache is rebuilt; the sorted word list answers newmm exactly as pythainlp's trie; and the fast
text output writes the same bytes as ReportLab's own (bench/render.py has the figures)."""

import io
import json
import marshal
import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab import rl_config
from reportlab.pdfgen.canvas import Canvas

from memos.documents import render_pdf, thai
from memos.documents import text as T
from memos.documents.fonts import BOLD, REGULAR, register
from memos.documents.textout import format_shaped

ROOT = Path(__file__).resolve().parent.parent
DOCS = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "data").glob("typeset_*.json"))

# Runs manage.py as the shell does, then says which modules the process loaded and whether the
# pythainlp word corpus was read (it is not when the cache is used).
PROBE = """
import json, runpy, sys
sys.argv = ["manage.py", "render_document", sys.argv[1], "-o", sys.argv[2]]
try:
    runpy.run_path("manage.py", run_name="__main__")
except SystemExit as exc:
    status = exc.code
import pythainlp.corpus.common as corpus
print(json.dumps({"status": status, "modules": sorted(sys.modules), "corpus_read": bool(corpus._THAI_WORDS)}))
"""


def _probe(tmp_path: Path, doc: Path) -> dict:
    env = {**os.environ, "VAR_DIR": str(tmp_path / "var")}
    proc = subprocess.run([sys.executable, "-c", PROBE, str(doc), str(tmp_path / "out.pdf")],
                          cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_render_document_starts_no_django_and_reads_the_word_cache(tmp_path):
    first = _probe(tmp_path, ROOT / "examples" / "memo.json")
    assert first["status"] == 0
    assert not [m for m in first["modules"] if m == "django" or m.startswith("django.")]
    assert first["corpus_read"]  # no cache yet: built from pythainlp's corpus and saved
    assert (tmp_path / "var" / "cache" / "thai-words.marshal").is_file()
    (tmp_path / "out.pdf").unlink()
    second = _probe(tmp_path, ROOT / "examples" / "memo.json")
    assert second["status"] == 0 and (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF-")
    assert not second["corpus_read"]  # the cache answered
    assert not [m for m in second["modules"] if m.startswith("django")]


def test_python_m_memos_documents_renders(tmp_path):
    out = tmp_path / "a.pdf"
    proc = subprocess.run([sys.executable, "-m", "memos.documents", "render", str(ROOT / "examples" / "announcement.json"),
                           "-o", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")


def test_manage_py_fast_path_takes_only_plain_arguments():
    fast = runpy.run_path(str(ROOT / "manage.py"), run_name="manage")["render_document_fast"]
    assert fast(["manage.py", "migrate"]) is None
    # Django's own options (and --help) go to the Django command
    for extra in (["--settings", "config.settings"], ["--traceback"], ["-h"], ["-v", "2"]):
        assert fast(["manage.py", "render_document", "in.json", "-o", "out.pdf", *extra]) is None
    assert fast(["manage.py", "render_document", "in.json"]) is None  # no output: Django says what is missing


@pytest.fixture
def fresh_word_cache(tmp_path, monkeypatch):
    """word_lists() as in a new process, with its cache file under tmp_path."""
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    caches = (thai.word_lists, thai._words, thai._plain_words, thai._dictionary)
    for c in caches:
        c.cache_clear()
    yield thai.cache_path()
    for c in caches:
        c.cache_clear()


def test_word_cache_rebuilt_when_stale(fresh_word_cache, monkeypatch):
    path = fresh_word_cache
    assert path.parent.parent != ROOT / "var"
    base, full = thai.word_lists()
    assert "คุณธรรม" in base and "รักษาราชการแทน" in full and len(full) > 60000
    assert marshal.loads(path.read_bytes())[0] == thai.cache_key()

    # a cache from another pythainlp (its dictionary ships with it) or another USER_WORDS is stale
    path.write_bytes(marshal.dumps(("1:0.0.1:0", ("ก",), ("ก",))))
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)
    assert marshal.loads(path.read_bytes())[0] == thai.cache_key()

    monkeypatch.setattr(thai.pythainlp, "__version__", "99.0.0")
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)
    assert marshal.loads(path.read_bytes())[0].split(":")[1] == "99.0.0"

    path.write_bytes(b"\x00 not marshal")  # a broken file is rebuilt, not an error
    thai.word_lists.cache_clear()
    assert thai.word_lists() == (base, full)


def test_word_cache_unwritable_is_not_an_error(fresh_word_cache, tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("VAR_DIR", str(blocker))  # var/cache cannot be made, even by root
    assert len(thai.word_lists()[1]) > 60000
    assert blocker.read_text() == "not a directory"


def _texts(doc) -> list[str]:
    if isinstance(doc, str):
        return [doc]
    if isinstance(doc, dict):
        return [t for v in doc.values() for t in _texts(v)]
    if isinstance(doc, list):
        return [t for v in doc for t in _texts(v)]
    return []


def _chunks() -> list[str]:
    return sorted({c for p in DOCS for t in _texts(json.loads(p.read_text(encoding="utf-8"))) for c in t.split() if c})


def test_word_list_answers_newmm_as_pythainlps_trie():
    from pythainlp.corpus.common import thai_words
    from pythainlp.tokenize import Tokenizer, word_tokenize
    from pythainlp.util import Trie

    chunks = _chunks()
    trie = Trie(thai_words())
    plain = thai._plain_words()
    for c in chunks:
        for i in range(len(c)):
            assert plain.prefixes(c, i) == trie.prefixes(c, i), (c, i)
    tokenizer = Tokenizer(custom_dict=set(thai_words()) | thai.USER_WORDS, engine="newmm", keep_whitespace=True)
    assert [thai._newmm(c, thai._words()) for c in chunks] == [tokenizer.word_tokenize(c) for c in chunks]
    assert [thai._newmm(c, plain) for c in chunks] == [word_tokenize(c, engine="newmm") for c in chunks]
    extra = sorted(w for w in thai.USER_WORDS if w not in trie)  # agency names pythainlp does not know
    assert extra and all(w in thai._words() and w not in plain for w in extra) and len(plain) == len(trie)


def test_format_shaped_writes_what_reportlab_writes():
    """Every word of the seed pack and the edge cases, as drawn and stretched, in both faces."""
    register()
    c = Canvas(io.BytesIO())
    t = c.beginText(0, 0)
    words = sorted({w for ch in _chunks() for w in thai.segment(ch) if not w.isspace()})
    words += ["ISO/IEC 27001", "COVID-19", "https://example.go.th/id=123", "ฯลฯ", "ๆ", "ปั๊ม", "กำ", "น้ำ"]
    checked = 0
    for font in (REGULAR, BOLD):
        for size in (12, 14, 16, 29):
            t.setFont(font, size)
            for w in words:
                s = T.shaped(w, font, size)[0]
                gaps = T._glyph_gaps(w, font, size)
                for variant in (s, T._spread(s, font, gaps, 11.7)) if gaps else (s,):
                    for subset in (-1, 0):
                        t._curSubset = subset
                        theirs = t._formatText(variant)
                        after = (t._curSubset, t._rise)
                        t._curSubset = subset
                        assert format_shaped(t, variant) == theirs, (w, font, size)
                        assert (t._curSubset, t._rise) == after
                        checked += 1
    assert checked > 5000


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem)
def test_documents_same_bytes_as_reportlabs_text_output(path, monkeypatch):
    """The whole PDF with our text output and with ReportLab's own ``textOut``: identical."""
    monkeypatch.setattr(rl_config, "invariant", 1)  # no dates or random ids in the file
    doc = json.loads(path.read_text(encoding="utf-8"))
    ours = render_pdf(doc)
    monkeypatch.setattr(T, "text_out", lambda t, s: t.textOut(s))
    assert render_pdf(doc) == ours
