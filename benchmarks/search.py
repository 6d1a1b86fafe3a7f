"""Search latency of `newsarchive serve` on a generated 1,000,000-article archive.

    python benchmarks/search.py [--db /tmp/newsarchive-search-1m.db] [--rows 1000000]

The archive is built once and reused (delete the file to rebuild): ~2 KB bodies of
pseudo-Russian words with Zipf-like frequencies, written with executemany in one
transaction through the real schema, so the search index is fed by its own triggers.
Planted words give each kind of query a known number of hits: a rare word (~100 articles),
a common word (~30%), two words, a phrase of two frequent words. Then the search page
(the articles table's search box, ?_search=) is fetched over HTTP from a real
`newsarchive serve` on 127.0.0.1, and the median and p95 of each kind are printed.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.archive import open_archive  # noqa: E402

SYLLABLES = ["ба", "ве", "го", "да", "же", "зи", "ко", "ла", "ми", "но", "пу", "ра", "си"]
SYLLABLES += ["ту", "фа", "хо", "це", "чу", "ша", "ны", "ло", "ре", "ки", "ст", "пр"]
ENDINGS = ["", "а", "ы", "ов", "ам", "ами", "ах", "ом", "е", "у"]
COMMON = ["беспилотник", "переговоры", "министерство", "правительство", "заявление"]
RARE = [f"редкослов{c}" for c in "абвгдежзиклмнопрстуф"]
BODY_WORDS = 170  # ~2 KB of UTF-8 Cyrillic


def vocabulary(rng: random.Random, size: int = 50_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def generate(rng: random.Random, rows: int):
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    sources = [f"source{i:02d}" for i in range(40)]
    start = time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, 0))
    for i in range(1, rows + 1):
        words = rng.choices(vocab, cum_weights=weights, k=BODY_WORDS)
        for word in COMMON:
            if rng.random() < 0.3:
                words[rng.randrange(BODY_WORDS)] = word + rng.choice(ENDINGS)
        if rng.random() < 100 * len(RARE) / rows:
            words[rng.randrange(BODY_WORDS)] = rng.choice(RARE) + rng.choice(ENDINGS)
        day = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(start + i * 150))
        yield (
            f"https://{sources[i % 40]}.example/news/{i}",
            sources[i % 40],
            " ".join(words[:8]).capitalize(),
            " ".join(words),
            "ru",
            json.dumps([f"Автор {i % 500}"], ensure_ascii=False),
            day,
            day,
        )


def build(db_path: Path, rows: int) -> None:
    rng = random.Random(6)
    db = open_archive(db_path)
    started = time.perf_counter()
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, body, language, authors, "
            "published, published_utc, first_seen, last_seen, tags) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, datetime('now'), datetime('now'), '[]')",
            generate(rng, rows),
        )
    seconds = time.perf_counter() - started
    db.execute("PRAGMA optimize")
    db.close()
    print(f"built {rows:,} articles with the search index in {seconds:.0f} s "
          f"({seconds / rows * 1e6:.0f} µs per article)")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def queries(rng: random.Random, vocab: list[str]) -> dict[str, list[str]]:
    frequent = vocab[:300]
    return {
        "rare word": RARE,
        "common word (30%)": [w + "и" for w in COMMON] + COMMON,
        "two words": [f"{rng.choice(frequent)} {rng.choice(COMMON)}" for _ in range(20)],
        "phrase": [f'"{rng.choice(frequent)} {rng.choice(frequent)}"' for _ in range(20)],
    }


def measure(base: str, database: str, kinds: dict[str, list[str]], repeat: int, extra: str) -> None:
    with httpx.Client(base_url=base, timeout=60) as client:
        for kind, words in kinds.items():
            times, statuses, hits = [], set(), []
            for query in itertools.islice(itertools.cycle(words), repeat):
                started = time.perf_counter()
                response = client.get(f"/{database}/articles", params={"_search": query} | extra)
                times.append((time.perf_counter() - started) * 1000)
                statuses.add(response.status_code)
                hits.append(response.text.count('class="search-result"'))
            times.sort()
            p95 = times[int(len(times) * 0.95) - 1]
            print(
                f"{kind:20} median {statistics.median(times):6.0f} ms   p95 {p95:6.0f} ms   "
                f"HTTP {sorted(statuses)}   results shown {min(hits)}-{max(hits)}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=Path("/tmp/newsarchive-search-1m.db"))
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=60, help="requests per kind of query")
    args = parser.parse_args()
    if not args.db.exists():
        build(args.db, args.rows)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "serve", "--db", str(args.db), "--port", str(port)],
        cwd=REPO,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
        kinds = queries(random.Random(7), vocabulary(random.Random(6)))
        database = args.db.stem
        httpx.get(f"{base}/{database}/articles", params={"_search": "прогрев"}, timeout=60)
        print(f"search page, {args.repeat} requests per kind, ranked by relevance (default):")
        measure(base, database, kinds, args.repeat, {})
        print("sorted by date (?_sort_desc=published_utc):")
        measure(base, database, kinds, args.repeat, {"_sort_desc": "published_utc"})
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
