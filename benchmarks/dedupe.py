"""Dedupe figures: near-duplicate precision/recall, time per article at 10k vs 1M archived
articles, archive size per 1,000 articles with and without raw pages.

    python benchmarks/dedupe.py [--scale 10000,1000000]

1. Every pair of tests/fixtures/dedupe/pairs.jsonl goes through the real store: the first
   text is archived, the second arrives from another source; the decision is whether it
   got `duplicate_of`. Target: precision and recall >= 0.95.
2. Time per article: archives holding N synthetic articles (rows + random LSH band keys,
   as many per article as the real ones), then the evaluation texts written into each
   through `Archive.write`. Target: 1M within 2x of 10k.
3. Size: the real pages of ../shared/datasets/aeb (skipped when absent) written 1,000 times
   under distinct URLs, with raw retention on and off.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.archive import open_archive  # noqa: E402
from pipelines.store import Archive  # noqa: E402
from scraper.extract import extract  # noqa: E402
from scraper.extract.fingerprint import BANDS, content_hash  # noqa: E402
from scraper.items import Article  # noqa: E402

PAIRS = REPO / "tests" / "fixtures" / "dedupe" / "pairs.jsonl"
SHARED = REPO / ".." / "shared"


def article(url: str, source: str, title: str, body: str, **extra) -> Article:
    item = Article(title=title, body=body, url=url, canonical_url=url, source=source, **extra)
    item.content_hash = content_hash(title, body)
    return item


def precision_recall(tmp: Path) -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    tp = fp = fn = tn = 0
    wrong: list[str] = []
    for n, pair in enumerate(pairs):
        path = tmp / f"pair{n}.db"
        db = open_archive(path)
        archive = Archive(db)
        a, b = pair["a"], pair["b"]
        archive.write([article(f"https://a.example/{n}", "a", a["title"], a["body"])])
        archive.write([article(f"https://b.example/{n}", "b", b["title"], b["body"])])
        (copy_of,) = db.execute("SELECT duplicate_of FROM articles WHERE source = 'b'").fetchone()
        db.close()
        path.unlink()
        found, truth = copy_of is not None, pair["duplicate"]
        tp += found and truth
        fp += found and not truth
        fn += truth and not found
        tn += not found and not truth
        if found != truth:
            wrong.append(pair["kind"])
    print(f"near-duplicate decision on {len(pairs)} pairs ({tp + fn} copies, {fp + tn} not):")
    print(f"  precision {tp / (tp + fp):.3f}  recall {tp / (tp + fn):.3f}  (target >= 0.95)")
    print(f"  tp {tp} fp {fp} fn {fn} tn {tn}; wrong: {', '.join(wrong) or 'none'}")


def synthetic_archive(path: Path, count: int) -> None:
    """`count` article rows and their band keys (random: collide with nothing real)."""
    db = open_archive(path)
    conn: sqlite3.Connection = db.conn
    rng = np.random.default_rng(1)
    chunk = 200_000
    with db.atomic():
        for start in range(0, count, chunk):
            ids = range(start + 1, min(start + chunk, count) + 1)
            conn.executemany(
                "INSERT INTO articles (id, canonical_url, source, first_seen, last_seen, "
                "body_hash, content_hash) VALUES (?, ?, 'synthetic', '2024', '2024', ?, ?)",
                ((i, f"https://synthetic.example/{i}", f"b{i}", f"c{i}") for i in ids),
            )
        keys = rng.integers(-(2**63), 2**63 - 1, size=count * BANDS, dtype=np.int64)
        owners = np.repeat(np.arange(1, count + 1, dtype=np.int64), BANDS)
        order = np.argsort(keys)  # sorted keys: B-tree appends instead of random inserts
        keys, owners = keys[order], owners[order]
        for start in range(0, len(keys), chunk * 10):
            end = start + chunk * 10
            conn.executemany(
                "INSERT OR IGNORE INTO minhash_bands (key, article_id) VALUES (?, ?)",
                zip(keys[start:end].tolist(), owners[start:end].tolist(), strict=True),
            )
    db.close()


def time_per_article(tmp: Path, scales: list[int]) -> None:
    pairs = [json.loads(line) for line in PAIRS.read_text(encoding="utf-8").splitlines()]
    texts = [p[side] for p in pairs for side in ("a", "b")]
    print(f"time per article written (LSH lookup + checks + insert), {len(texts)} articles:")
    results = {}
    for count in scales:
        path = tmp / f"scale{count}.db"
        started = time.perf_counter()
        synthetic_archive(path, count)
        built = time.perf_counter() - started
        db = open_archive(path)
        archive = Archive(db)
        runs = []
        for run in range(3):
            # Each run's texts differ from the last run's, so they are neither edits nor
            # aliases of them but near copies: the full candidate check runs.
            batch = [
                article(
                    f"https://new.example/{run}/{n}",
                    f"s{n % 7}",
                    t["title"],
                    f"{t['body']}\n\nRun {run}.",
                )
                for n, t in enumerate(texts)
            ]
            started = time.perf_counter()
            for start in range(0, len(batch), 100):
                archive.write(batch[start : start + 100])
            runs.append((time.perf_counter() - started) / len(batch) * 1000)
        bands = db.execute("SELECT count(*) FROM minhash_bands").fetchone()[0]
        db.close()
        size = path.stat().st_size
        path.unlink()
        results[count] = statistics.median(runs)
        print(
            f"  {count:>9,} archived: {results[count]:.2f} ms/article (median of 3 runs); "
            f"{bands:,} band rows, file {size / 2**20:,.0f} MiB, built in {built:.0f} s"
        )
    low, high = min(scales), max(scales)
    print(f"  {high:,} vs {low:,}: {results[high] / results[low]:.2f}x (target within 2x)")


def archive_size(tmp: Path) -> None:
    aeb = SHARED / "datasets" / "aeb" / "html"
    if not aeb.is_dir():
        print("archive size: skipped, ../shared/datasets/aeb is absent")
        return
    pages = [gzip.decompress(p.read_bytes()) for p in sorted(aeb.glob("*.html.gz"))]
    extracted = [extract(page, "https://aeb.example/") for page in pages]
    print(f"archive size per 1,000 articles ({len(pages)} real pages of the aeb set, reused):")
    for keep_raw in (True, False):
        path = tmp / f"size-{keep_raw}.db"
        db = open_archive(path)
        archive = Archive(db, keep_raw=keep_raw)
        batch = []
        for n in range(1000):
            page, item = pages[n % len(pages)], extracted[n % len(pages)]
            body = f"{item.body}\n\nCopy {n}."  # distinct texts, so none is an alias
            batch.append(
                article(
                    f"https://aeb.example/{n}",
                    "aeb",
                    item.title or "untitled",
                    body,
                    body_html=item.body_html,
                    raw_html=page + f"<!-- {n} -->".encode(),
                    status=200,
                    headers={"Content-Type": "text/html; charset=utf-8"},
                )
            )
        archive.write(batch)
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        db.execute("VACUUM")
        db.close()
        size = path.stat().st_size
        raw = sum(len(pages[n % len(pages)]) for n in range(1000))
        print(
            f"  raw pages {'kept' if keep_raw else 'off '}: {size / 2**20:.1f} MiB "
            f"(raw HTML fetched: {raw / 2**20:.1f} MiB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="10000,1000000", help="archive sizes to time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        precision_recall(Path(tmp))
        time_per_article(Path(tmp), [int(n) for n in args.scale.split(",")])
        archive_size(Path(tmp))


if __name__ == "__main__":
    main()
