"""Render times of the seed documents, ours beside WeasyPrint's on the same texts, with the budgets.

For each example: the cold time of a whole ``manage.py render_document`` process (median of --cold runs,
wall clock and the child's CPU time: on a shared machine CPU time is the steadier figure), the warm
median in one process, and the peak memory of one render; then WeasyPrint's whole process
(``python -m weasyprint``) and warm median on an HTML rendering of the same document (same texts, Thai
digits and dates as we print them, Sarabun from fontpkg-sarabun, A4 — landscape for the report —, the
same margins, 16 pt body justified with a 2.5 cm first-line indent, 14/12 pt report text and cells,
header row repeated). Budgets (issue 10, item 9): the memo's cold process ≤ 800 ms, warm ≥ 3× faster
than WeasyPrint, the report warm ≤ 150 ms.

The cold figure is ``manage.py render_document`` as users type it (it takes the Django-free path of
memos/documents/cli.py). Before timing it the bench compiles memos/ to bytecode (compileall), as an
installed package is (pip compiles on install; the Docker image runs ``pip install .``): with
PYTHONDONTWRITEBYTECODE set, as on some shared machines, every cold process would otherwise compile
our own sources again, a cost no deployment pays. The word-list and ink-extent caches (var/cache) are
built by the first process and read by the ones measured. WeasyPrint is optional (``pip install -e '.[bench]'``,
apt libpango-1.0-0 libpangoft2-1.0-0); without it the bench says so and prints ours.

    python bench/render.py [--runs 7] [--cold 3] [memo announcement report]
"""

from __future__ import annotations

import argparse
import compileall
import gc
import html
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import fontpkg_sarabun  # noqa: E402

from memos.documents import parse_document, render_pdf  # noqa: E402
from memos.documents.digits import thai_digits  # noqa: E402
from memos.documents.thai import thai_date  # noqa: E402

EXAMPLES = ("memo", "announcement", "report")
COLD_BUDGET_MS = {"memo": 800}
WARM_BUDGET_MS = {"report": 150}
RATIO_BUDGET = 3.0

_CSS = """
@font-face {{ font-family: Sarabun; font-weight: normal; src: url("{regular}"); }}
@font-face {{ font-family: Sarabun; font-weight: bold; src: url("{bold}"); }}
@page {{ size: {page}; margin: 1.5cm 2cm 2cm 3cm; }}
body {{ font-family: Sarabun; font-size: 16pt; line-height: 1.65; margin: 0; }}
p {{ margin: 6pt 0 0 0; }}
.j {{ text-align: justify; text-indent: 2.5cm; }}
.c {{ text-align: center; }}
.h {{ font-weight: bold; }}
.big {{ font-size: 29pt; font-weight: bold; text-align: center; }}
.sign {{ margin-left: 42%; text-align: center; }}
.report {{ font-size: 14pt; }}
table {{ border-collapse: collapse; width: 100%; font-size: 12pt; line-height: 1.5; }}
th, td {{ border: 0.5pt solid black; padding: 0 3pt; vertical-align: top; }}
th {{ background: #e8e8e8; }}
thead {{ display: table-header-group; }}
"""


def _p(text: str, cls: str = "") -> str:
    return f'<p class="{cls}">{html.escape(text)}</p>' if cls else f"<p>{html.escape(text)}</p>"


def _signer(name: str, lines: list[str]) -> list[str]:
    return [_p(f"({name})", "sign"), *(_p(x, "sign") for x in lines)]


def html_of(data: dict) -> str:
    """The document as HTML with the texts our renderer prints (so both typeset the same words)."""
    doc = parse_document(data)
    d = thai_digits
    page = "A4"
    out: list[str] = []
    if doc.kind == "memo":
        out += [_p("บันทึกข้อความ", "big"), _p(f"ส่วนราชการ  {d(doc.unit)}  โทร. {d(doc.phone)}"),
                _p(f"ที่  {d(doc.number)}    วันที่  {thai_date(doc.date) if doc.date else ''}"),
                _p(f"เรื่อง  {d(doc.subject)}"), _p(f"เรียน  {d(doc.addressee)}")]
        n = 0
        for section in doc.sections:
            if (section.heading or "").strip():
                n += 1
                out.append(_p(f"{d(str(n))}. {d(section.heading.strip())}", "h"))
            out += [_p(d(p), "j") for p in section.paragraphs]
            out += [_p(f"{d(str(n))}.{d(str(i))} {d(item)}", "j") for i, item in enumerate(section.items, 1)]
        if doc.closing:
            out.append(_p(d(doc.closing), "j"))
        out += _signer(d(doc.signer.name), [doc.signer.position])
        for e in doc.endorsements:
            out.append(_p(d(e.heading), "h"))
            if e.comment:
                out.append(_p(d(e.comment), "j"))
            lines = [f"{e.position} {e.acting.kind}", e.acting.for_position] if e.acting else [e.position]
            out += _signer(d(e.name), lines + ([thai_date(e.date)] if e.date else []))
    elif doc.kind == "announcement":
        out += [_p(f"ประกาศ{d(doc.agency.name)}", "c h"), _p(f"เรื่อง {d(doc.subject)}", "c h"), "<hr>"]
        out += [_p(d(p), "j") for p in doc.paragraphs]
        if doc.closing:
            out.append(_p(d(doc.closing), "j"))
        out.append(_p(f"ประกาศ ณ วันที่ {thai_date(doc.date, era=True)}", "sign"))
        out += _signer(d(doc.signer.name), [doc.signer.position])
    else:
        page = "A4 landscape"
        out += ['<div class="report">', _p(doc.title, "c h")]
        if doc.subtitle:
            out.append(_p(doc.subtitle, "c h"))
        out += [_p(p, "j") for p in doc.intro]
        for t in doc.tables:
            if t.caption:
                out.append(_p(t.caption, "h"))
            weights = t.widths or [1.0] * len(t.columns)
            cols = "".join(f'<col style="width:{100 * w / sum(weights):.2f}%">' for w in weights)
            head = "".join(f"<th>{html.escape(c)}</th>" for c in t.columns)
            rows = "".join(
                "<tr>" + "".join(
                    "<td>" + "<br>".join(html.escape(v) for v in (c if isinstance(c, list) else [c]) if v) + "</td>"
                    for c in row) + "</tr>"
                for row in t.rows)
            out.append(f"<table><colgroup>{cols}</colgroup><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>")
        out.append("</div>")
    files = fontpkg_sarabun.ROOT / "files"
    css = _CSS.format(regular=(files / "Sarabun-Regular.ttf").as_uri(), bold=(files / "Sarabun-Bold.ttf").as_uri(),
                      page=page)
    return f'<!DOCTYPE html><html lang="th"><head><meta charset="utf-8"><style>{css}</style></head><body>' \
           + "\n".join(out) + "</body></html>"


def _cold(cmd: list[str], runs: int) -> tuple[float, float]:
    """Median wall and CPU (user + system of the child) seconds of ``runs`` whole processes."""
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return statistics.median(walls), statistics.median(cpus)


def _warm(fn, runs: int) -> tuple[float, float]:
    """Median wall and CPU seconds of ``runs`` calls after a first one."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        t, c = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - t)
        cpus.append(time.process_time() - c)
    return statistics.median(walls), statistics.median(cpus)


BLOCK = 5  # renders of one side in a row (_warm_pair)


def _warm_pair(ours, theirs, runs: int) -> tuple[tuple[float, float], tuple[float, float]]:
    """``_warm`` of both, alternating in blocks of ``BLOCK`` renders (at least ``runs`` each), so that
    both medians come from the same minutes of a shared machine: run one after the other, a burst of
    other work lands on one side only. In blocks, not call by call, so each runs as it would warm (one
    call by call measures each with the other's data in the CPU caches: the smaller document pays most).
    Each side's garbage is collected before the other's block, outside the timing."""
    ours()
    theirs()
    times: dict = {ours: ([], []), theirs: ([], [])}
    for _ in range(-(-runs // BLOCK)):
        for fn in (ours, theirs):
            gc.collect()
            for _ in range(BLOCK):
                t, c = time.perf_counter(), time.process_time()
                fn()
                times[fn][0].append(time.perf_counter() - t)
                times[fn][1].append(time.process_time() - c)
    return tuple((statistics.median(w), statistics.median(c)) for w, c in times.values())


def _budget(value_ms: float, budget_ms: float | None) -> str:
    if budget_ms is None:
        return ""
    return f" (≤ {budget_ms:.0f} {'ok' if value_ms <= budget_ms else 'OVER'})"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("names", nargs="*", default=list(EXAMPLES))
    ap.add_argument("--runs", type=int, default=7, help="warm renders per document (median)")
    ap.add_argument("--cold", type=int, default=3, help="whole processes per document (median)")
    args = ap.parse_args()
    try:
        import weasyprint
        from weasyprint.text.fonts import FontConfiguration
    except (ImportError, OSError) as exc:  # OSError: the package is there but pango is not
        weasyprint = None
        print(f"WeasyPrint not available ({exc.__class__.__name__}: {str(exc).splitlines()[0]}); "
              "pip install -e '.[bench]' (and apt libpango-1.0-0 libpangoft2-1.0-0) to compare. Ours only.\n")
    print(f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs; cold: median of {args.cold} processes, "
          f"warm: median of {args.runs} renders or more (ours and WeasyPrint's alternating, {BLOCK} at a time)")
    compileall.compile_dir(ROOT / "memos", quiet=1)  # as installed (see the docstring)
    tmp = Path(tempfile.mkdtemp(prefix="bench-render-"))
    for name in args.names:
        src = ROOT / "examples" / f"{name}.json"
        data = json.loads(src.read_text(encoding="utf-8"))
        cold, cold_cpu = _cold([sys.executable, "manage.py", "render_document", str(src), "-o", str(tmp / "ours.pdf")],
                               args.cold)
        ours = lambda data=data: render_pdf(data)  # noqa: E731
        if weasyprint is not None:
            page = tmp / f"{name}.html"
            page.write_text(html_of(data), encoding="utf-8")
            fonts = FontConfiguration()  # kept between renders, as ours keeps its registered fonts
            theirs = lambda page=page, fonts=fonts: weasyprint.HTML(filename=str(page)).write_pdf(  # noqa: E731
                font_config=fonts)
            (warm, warm_cpu), (wwarm, wwarm_cpu) = _warm_pair(ours, theirs, args.runs)
        else:
            warm, warm_cpu = _warm(ours, args.runs)
        tracemalloc.start()
        render_pdf(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:13s} ours        cold {cold * 1000:6.0f} ms (cpu {cold_cpu * 1000:4.0f})"
              f"{_budget(cold * 1000, COLD_BUDGET_MS.get(name)):12s}  warm {warm * 1000:6.1f} ms (cpu {warm_cpu * 1000:6.1f})"
              f"{_budget(warm * 1000, WARM_BUDGET_MS.get(name)):12s}  peak {peak / 2**20:5.1f} MiB")
        if weasyprint is None:
            continue
        wcold, wcold_cpu = _cold([sys.executable, "-m", "weasyprint", str(page), str(tmp / "weasy.pdf")], args.cold)
        ratio, ratio_cpu = wwarm / warm, wwarm_cpu / warm_cpu
        print(f"{'':13s} WeasyPrint  cold {wcold * 1000:6.0f} ms (cpu {wcold_cpu * 1000:4.0f})"
              f"{'':12s}  warm {wwarm * 1000:6.1f} ms (cpu {wwarm_cpu * 1000:6.1f}){'':12s}  "
              f"ours {ratio:4.1f}× faster warm, cpu {ratio_cpu:4.1f}× (≥ {RATIO_BUDGET:.0f}× "
              f"{'ok' if min(ratio, ratio_cpu) >= RATIO_BUDGET else 'UNDER'}); {wcold / cold:4.1f}× cold")


if __name__ == "__main__":
    main()
