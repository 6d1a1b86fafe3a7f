"""Article body extraction, ours against trafilatura, on the same pages in one run.

    python benchmarks/extraction.py                      # all four shared sets
    python benchmarks/extraction.py --sets aeb --half A  # one set, the tuning half only

Sets (in `--shared`/datasets): wcxb-articles and daniel-ru are scored by `score_wcxb.py`
(word F1 per page, averaged), aeb by `score_extraction.py` (token-shingle F1 of the averaged
precision and recall), cyrillic-dev by `score_snippets.py` (must / must-not snippets). The
shared scorers run unchanged, on temporary files, once per half and once on the whole set.
Each set is split by `halves.half(id)`: tune on half A, report both; `<0.3` counts pages
whose own F1 is under 0.3 (for snippets: 2tp / (2tp + fp + fn)).

Both extractors get the raw page bytes and the page's URL where the set has one (daniel-ru
has none). Time is CPU time (`time.process_time`), parsing included, so the pages/s ratio
holds on a busy machine where wall-clock would not; the two take turns page by page, so
that the load changing during the run weighs on both alike. `--peer-cache DIR` reuses trafilatura's
bodies and times from an earlier run (for tuning loops; its speed is then not of this run).
trafilatura is a benchmark-only dependency (`pip install .[bench]`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.halves import half  # noqa: E402
from scraper.extract import extract  # noqa: E402

SETS = ("wcxb-articles", "daniel-ru", "aeb", "cyrillic-dev")
LOST = 0.3  # a page under this F1 is an article lost, for the "<0.3" column

Pages = dict[str, tuple[bytes, str | None]]


@dataclass
class Dataset:
    name: str
    kind: str  # "wcxb", "aeb" or "snippets": which scorer
    truth: dict | list  # the ground truth as loaded, subset per half by `subset`
    pages: Pages

    def subset(self, ids: set[str]) -> dict | list:
        if isinstance(self.truth, list):
            return [e for e in self.truth if e["id"] in ids]
        return {k: v for k, v in self.truth.items() if k in ids}


def load(folder: Path) -> Dataset:
    """A shared set, its scorer told apart by its files."""
    if (folder / "gold.json").exists():
        gold = json.loads((folder / "gold.json").read_text(encoding="utf-8"))
        pages = {
            e["id"]: (gzip.decompress((folder / e["file"]).read_bytes()), e.get("url"))
            for e in gold
        }
        return Dataset(folder.name, "snippets", gold, pages)
    truth = json.loads((folder / "ground-truth.json").read_text(encoding="utf-8"))
    kind = "wcxb" if "main_content" in next(iter(truth.values())) else "aeb"
    pages = {
        pid: (gzip.decompress((folder / "html" / f"{pid}.html.gz").read_bytes()), item.get("url"))
        for pid, item in sorted(truth.items())
    }
    return Dataset(folder.name, kind, truth, pages)


def ours(html: bytes, url: str | None) -> str:
    return extract(html, url).body


def trafilatura_default(html: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def run(
    tools: dict[str, Callable[[bytes, str | None], str]], pages: Pages
) -> tuple[dict[str, dict[str, str]], dict[str, float]]:
    """Each tool's {id: body} and the CPU seconds it took. The tools take turns page by
    page, so that a change in the machine's load during the run falls on all of them alike
    (run one after the other, the same code read 0.85 in one run and 1.02 in the next)."""
    bodies: dict[str, dict[str, str]] = {name: {} for name in tools}
    cpu = dict.fromkeys(tools, 0.0)
    for pid, (html, url) in pages.items():
        for name, fn in tools.items():
            start = time.process_time()
            bodies[name][pid] = fn(html, url)
            cpu[name] += time.process_time() - start
    return bodies, cpu


def peer_cache(data: Dataset, cache: Path | None) -> Path | None:
    """Where trafilatura's bodies and CPU seconds on this set are kept, with `--peer-cache`."""
    import trafilatura

    return cache / f"trafilatura-{trafilatura.__version__}-{data.name}.json" if cache else None


def cached_peer(path: Path | None, data: Dataset) -> tuple[dict[str, str], float] | None:
    """trafilatura's bodies and CPU seconds from `path`, if it holds this set's run."""
    if path and path.exists():
        saved = json.loads(path.read_text(encoding="utf-8"))
        if set(saved["bodies"]) == set(data.pages):
            return saved["bodies"], saved["cpu"]
    return None


def score(data: Dataset, bodies: dict[str, str], ids: set[str], scorers: Path, tmp: Path) -> dict:
    """precision, recall, F1, pages under LOST and the per-page F1s, by the shared scorer."""
    truth, pred, out = tmp / "truth.json", tmp / "pred.json", tmp / "out.json"
    truth.write_text(json.dumps(data.subset(ids), ensure_ascii=False), encoding="utf-8")
    pred.write_text(
        json.dumps({i: {"articleBody": bodies[i]} for i in ids}, ensure_ascii=False), "utf-8"
    )
    if data.kind == "wcxb":
        args = ["score_wcxb.py", "--truth", truth, "--pred", pred, "--json", out]
    elif data.kind == "aeb":
        args = ["score_extraction.py", "--truth", truth, "--pred", pred, "--json-out", out]
    else:
        args = ["score_snippets.py", "--gold", truth, "--pred", pred, "--json", out]
    subprocess.run([sys.executable, scorers / args[0], *args[1:]], capture_output=True, check=True)
    result = json.loads(out.read_text(encoding="utf-8"))
    if data.kind == "wcxb":
        f1s = {r["id"]: r["f1"] for r in result["rows"]}
        p, r, f = result["precision"], result["recall"], result["f1"]
    elif data.kind == "aeb":
        f1s = {pg["id"]: pg["f1"] for pg in result["pages"]}
        p, r, f = result["precision"], result["recall"], result["f1"]
    else:
        f1s = dict.fromkeys(ids, 1.0)
        for row in result["pages_with_errors"]:
            tp = row["n_with"] - row["fn"]
            f1s[row["id"]] = 2 * tp / (2 * tp + row["fp"] + row["fn"]) if tp else 0.0
        o = result["overall"]
        p, r, f = o["precision"], o["recall"], o["f1"]
    lost = sum(1 for v in f1s.values() if v < LOST)
    return {"precision": p, "recall": r, "f1": f, "lost": lost, "pages": f1s}


def report(
    data: Dataset,
    results: dict[str, dict[str, str]],
    cpu: dict[str, float],
    *,
    scorers: Path,
    halves: list[str],
    worst: int,
    cached: bool,
) -> None:
    """The set's table: per extractor and half, the scores; then CPU speed and worst pages."""
    split = {h: {i for i in data.pages if half(i) == h} for h in "AB"}
    split["all"] = set(data.pages)
    scorer = {
        "wcxb": "score_wcxb.py",
        "aeb": "score_extraction.py",
        "snippets": "score_snippets.py",
    }
    print(
        f"== {data.name}: {len(data.pages)} pages (A {len(split['A'])}, B {len(split['B'])}), "
        f"scored by {scorer[data.kind]}"
    )
    print(f"   {'extractor':<12} {'half':<4} {'pages':>5} precision  recall      F1  <0.3")
    per_page = {}
    with tempfile.TemporaryDirectory() as tmp:
        for name, bodies in results.items():
            for h in halves:
                s = score(data, bodies, split[h], scorers, Path(tmp))
                if h == "A":
                    per_page[name] = s["pages"]
                print(
                    f"   {name:<12} {h:<4} {len(split[h]):>5} {s['precision']:>9.4f} "
                    f"{s['recall']:>7.4f} {s['f1']:>7.4f} {s['lost']:>5}"
                )
    speeds = {name: len(data.pages) / seconds for name, seconds in cpu.items()}
    line = ", ".join(f"{name} {v:.1f}" for name, v in speeds.items())
    if len(speeds) == 2:
        line += f"; ours / trafilatura {speeds['ours'] / speeds['trafilatura']:.2f}"
        line += " (trafilatura's time from the cache)" if cached else ""
    print(f"   CPU pages/s: {line}")
    if worst and "ours" in per_page:
        mine, theirs = per_page["ours"], per_page.get("trafilatura", {})
        rows = sorted(mine.items(), key=lambda kv: kv[1])[:worst]
        print(
            "   worst of ours on half A: "
            + ", ".join(
                f"{pid} {f:.2f}" + (f"/{theirs[pid]:.2f}" if pid in theirs else "")
                for pid, f in rows
            )
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    ap.add_argument("--sets", nargs="+", default=list(SETS), metavar="SET")
    ap.add_argument("--half", choices=["A", "B"], help="score this half only (and no whole set)")
    ap.add_argument("--ours-only", action="store_true", help="skip trafilatura")
    ap.add_argument("--peer-cache", type=Path, help="keep trafilatura's run here and reuse it")
    ap.add_argument("--worst", type=int, default=0, help="list this many worst pages of half A")
    args = ap.parse_args()
    halves = [args.half] if args.half else ["A", "B", "all"]
    totals: dict[str, list[float]] = {}
    for name in args.sets:
        data = load(args.shared / "datasets" / name)
        tools: dict[str, Callable[[bytes, str | None], str]] = {"ours": ours}
        path = None if args.ours_only else peer_cache(data, args.peer_cache)
        saved = cached_peer(path, data)
        if not args.ours_only and saved is None:
            tools["trafilatura"] = trafilatura_default
        results, cpu = run(tools, data.pages)
        cached = saved is not None
        if saved is not None:
            results["trafilatura"], cpu["trafilatura"] = saved
        elif path and "trafilatura" in tools:
            path.parent.mkdir(parents=True, exist_ok=True)
            body = {"bodies": results["trafilatura"], "cpu": cpu["trafilatura"]}
            path.write_text(json.dumps(body, ensure_ascii=False), "utf-8")
        for extractor, seconds in cpu.items():
            totals.setdefault(extractor, [0, 0.0])
            totals[extractor][0] += len(data.pages)
            totals[extractor][1] += seconds
        report(
            data,
            results,
            cpu,
            scorers=args.shared / "eval",
            halves=halves,
            worst=args.worst,
            cached=cached,
        )
    speeds = {name: pages / seconds for name, (pages, seconds) in totals.items()}
    line = ", ".join(f"{name} {v:.1f}" for name, v in speeds.items())
    if len(speeds) == 2:
        line += f"; ours / trafilatura {speeds['ours'] / speeds['trafilatura']:.2f}"
    print(f"== all sets, CPU pages/s: {line}")


if __name__ == "__main__":
    main()
