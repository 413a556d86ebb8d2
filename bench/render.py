"""Render times of the seed documents: cold process, warm median, peak memory. Prints figures only."""

import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from memos.documents import render_pdf  # noqa: E402


def main(runs: int = 7) -> None:
    for name in ("memo", "announcement", "report"):
        doc = json.loads((ROOT / "examples" / f"{name}.json").read_text(encoding="utf-8"))
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "manage.py", "render_document", f"examples/{name}.json", "-o", "/tmp/bench.pdf"],
                       cwd=ROOT, check=True, capture_output=True)
        cold = time.perf_counter() - t0
        render_pdf(doc)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            render_pdf(doc)
            times.append(time.perf_counter() - t)
        tracemalloc.start()
        render_pdf(doc)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:13s} cold render_document {cold * 1000:7.0f} ms   warm median {statistics.median(times) * 1000:6.1f} ms"
              f"   peak {peak / 2**20:5.1f} MiB")


if __name__ == "__main__":
    main()
