"""Article body extraction, ours against trafilatura, on the same pages in one run.

    python benchmarks/extraction.py --dataset ../shared/datasets/aeb
    python benchmarks/extraction.py --dataset ../shared/datasets/cyrillic-dev

The dataset kind is detected from its files: `ground-truth.json` (article-extraction
benchmark, token-shingle scorer) or `gold.json` (must/must-not snippets scorer). Both
extractors get the raw page bytes; time is CPU time (`time.process_time`), parsing included.
Predictions go to a temporary folder and are scored by the shared scorers, unchanged.
trafilatura is a benchmark-only dependency (`pip install .[bench]`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scraper.extract import extract  # noqa: E402


def load_pages(dataset: Path) -> tuple[str, dict[str, tuple[bytes, str | None]]]:
    """The scorer kind and {id: (html bytes, url)} for a dataset folder."""
    if (dataset / "ground-truth.json").exists():
        truth = json.loads((dataset / "ground-truth.json").read_text(encoding="utf-8"))
        pages = {
            pid: (gzip.decompress((dataset / "html" / f"{pid}.html.gz").read_bytes()), item["url"])
            for pid, item in sorted(truth.items())
        }
        return "aeb", pages
    gold = json.loads((dataset / "gold.json").read_text(encoding="utf-8"))
    pages = {
        e["id"]: (gzip.decompress((dataset / e["file"]).read_bytes()), e.get("url")) for e in gold
    }
    return "snippets", pages


def ours(html: bytes, url: str | None) -> str:
    return extract(html, url).body


def trafilatura_default(html: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def run(
    fn: Callable[[bytes, str | None], str], pages: dict[str, tuple[bytes, str | None]]
) -> tuple[dict[str, dict[str, str]], list[float]]:
    preds, times = {}, []
    for pid, (html, url) in pages.items():
        start = time.process_time()
        body = fn(html, url)
        times.append(time.process_time() - start)
        preds[pid] = {"articleBody": body}
    return preds, times


def score(kind: str, dataset: Path, pred: Path, worst: int) -> str:
    scorers = dataset.resolve().parents[1] / "eval"
    if kind == "aeb":
        args = ["score_extraction.py", "--truth", dataset / "ground-truth.json"]
        args += ["--pred", pred] + (["--per-page"] if worst else [])
    else:
        args = ["score_snippets.py", "--gold", dataset / "gold.json", "--pred", pred]
        args += ["--per-page", "--limit", str(worst)] if worst else []
    args[0] = scorers / args[0]
    out = subprocess.run(
        [sys.executable, *map(str, args)], capture_output=True, text=True, check=True
    ).stdout
    if kind == "aeb" and worst:
        lines = out.splitlines()
        out = "\n".join(lines[: 2 + worst])  # summary, header, the worst pages
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dataset", type=Path, required=True)
    ap.add_argument("--worst", type=int, default=10, help="list this many worst pages for ours")
    args = ap.parse_args()
    kind, pages = load_pages(args.dataset)
    extractors = {"ours": ours, "trafilatura": trafilatura_default}
    with tempfile.TemporaryDirectory() as tmp:
        for name, fn in extractors.items():
            preds, times = run(fn, pages)
            path = Path(tmp) / f"{name}.json"
            path.write_text(json.dumps(preds, ensure_ascii=False), encoding="utf-8")
            print(
                f"== {name}: {len(pages)} pages, {len(pages) / sum(times):.1f} pages/s CPU, "
                f"median {statistics.median(times) * 1000:.1f} ms/page"
            )
            print(score(kind, args.dataset, path, args.worst if name == "ours" else 0))


if __name__ == "__main__":
    main()
