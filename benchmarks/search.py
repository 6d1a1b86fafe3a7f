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
import re
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psutil
from datasette.utils import tilde_encode

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from pipelines.archive import open_archive  # noqa: E402

SYLLABLES = ["ба", "ве", "го", "да", "же", "зи", "ко", "ла", "ми", "но", "пу", "ра", "си"]
SYLLABLES += ["ту", "фа", "хо", "це", "чу", "ша", "ны", "ло", "ре", "ки", "ст", "пр"]
ENDINGS = ["", "а", "ы", "ов", "ам", "ами", "ах", "ом", "е", "у"]
COMMON = ["беспилотник", "переговоры", "министерство", "правительство", "заявление"]
RARE = [f"редкослов{c}" for c in "абвгдежзиклмнопрстуф"]
BODY_WORDS = 170  # ~2 KB of UTF-8 Cyrillic
START = time.mktime((2020, 1, 1, 0, 0, 0, 0, 0, 0))  # article i is published START + i * 150 s


def published(i: int) -> str:
    """Article i's publication time (UTC), as the archive keeps it."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(START + i * 150))


def vocabulary(rng: random.Random, size: int = 50_000) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))))
    return sorted(words)


def generate(rng: random.Random, rows: int):
    vocab = vocabulary(rng)
    weights = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(vocab))))
    sources = [f"source{i:02d}" for i in range(40)]
    for i in range(1, rows + 1):
        words = rng.choices(vocab, cum_weights=weights, k=BODY_WORDS)
        for word in COMMON:
            if rng.random() < 0.3:
                words[rng.randrange(BODY_WORDS)] = word + rng.choice(ENDINGS)
        if rng.random() < 100 * len(RARE) / rows:
            words[rng.randrange(BODY_WORDS)] = rng.choice(RARE) + rng.choice(ENDINGS)
        day = published(i)
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


SERVER: psutil.Process | None = None  # the `newsarchive serve` process measured


def timed(client: httpx.Client, label: str, requests: list[tuple[str, dict]], repeat: int) -> None:
    """GET each (path, params) in turn, `repeat` times in all; print median and p95 of the
    wall time, and the server's mean CPU per request (robust to a busy machine)."""
    times, statuses, hits, timed_out = [], set(), [], 0
    cpu_before = sum(SERVER.cpu_times()[:2]) if SERVER else 0.0
    for path, params in itertools.islice(itertools.cycle(requests), repeat):
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
        hits.append(response.text.count('class="search-result"') or response.text.count("<entry>"))
        timed_out += 'class="facets-timed-out"' in response.text
    cpu = (sum(SERVER.cpu_times()[:2]) - cpu_before) / repeat * 1000 if SERVER else 0.0
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{label:20} median {statistics.median(times):6.0f} ms   p95 {p95:6.0f} ms   "
        f"server CPU {cpu:4.0f} ms   "
        f"HTTP {sorted(statuses)}   results shown {min(hits)}-{max(hits)}"
        + (f"   facets timed out on {timed_out} pages" if timed_out else "")
    )


def measure(client: httpx.Client, database: str, kinds: dict[str, list[str]], repeat: int,
            extra: dict, fmt: str = "") -> None:  # fmt: skip
    for kind, words in kinds.items():
        path = f"/{database}/articles{fmt}"
        timed(client, kind, [(path, {"_search": w} | extra) for w in words], repeat)


def stream_csv(client: httpx.Client, database: str, rows: int) -> None:
    """The first `rows` articles (by date) as CSV, streamed: seconds until the last byte.

    The URL is the one the page's CSV link gives (the export's columns, every row)."""
    last = published(rows)
    page = client.get(f"/{database}/articles", params={"published_utc__lte": last})
    url = re.search(r'class="csv-link" href="([^"]+)"', page.text)[1].replace("&amp;", "&")
    started = time.perf_counter()
    cpu_before = sum(SERVER.cpu_times()[:2]) if SERVER else 0.0
    lines = 0
    with client.stream("GET", url) as response:
        for chunk in response.iter_lines():
            lines += bool(chunk)
    seconds = time.perf_counter() - started
    cpu = sum(SERVER.cpu_times()[:2]) - cpu_before if SERVER else 0.0
    print(f"CSV of {lines - 1:,} rows streamed in {seconds:.1f} s (target < 10 s), "
          f"server CPU {cpu:.1f} s, HTTP {response.status_code}")  # fmt: skip


FACETS = ("source", "language", "section", "date(published_utc)")
ARRAY_FACETS = ("authors", "tags")


def facet_cpu(db_path: Path, words: list[str]) -> None:
    """CPU (this process) to facet EVERY match of a search, in-process on one connection:
    Datasette's way (one query per facet, each reading every match) against one grouped
    query that reads the matches once; and per match, to size the page's FACET_DEPTH."""
    import sqlite3

    from pipelines.textsearch import register_functions

    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    register_functions(conn)
    match = "id IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH newsarchive_query(?))"
    matched = f"(SELECT * FROM articles WHERE {match})"
    six = [f"SELECT {c}, count(*) FROM {matched} GROUP BY 1 ORDER BY 2 DESC LIMIT 31"
           for c in FACETS]  # fmt: skip
    six += [f"SELECT j.value, count(*) FROM {matched} a, json_each(a.{c}) j "
            "GROUP BY 1 ORDER BY 2 DESC LIMIT 31" for c in ARRAY_FACETS]  # fmt: skip
    grouped = f"""
        WITH m AS MATERIALIZED (SELECT source, language, section, date(published_utc) AS day,
          authors, tags FROM articles WHERE {match})
        SELECT 'source', source, count(*) FROM m GROUP BY 2
        UNION ALL SELECT 'language', language, count(*) FROM m GROUP BY 2
        UNION ALL SELECT 'section', section, count(*) FROM m GROUP BY 2
        UNION ALL SELECT 'day', day, count(*) FROM m GROUP BY 2
        UNION ALL SELECT 'authors', j.value, count(*) FROM m, json_each(m.authors) j GROUP BY 2
        UNION ALL SELECT 'tags', j.value, count(*) FROM m, json_each(m.tags) j GROUP BY 2
    """
    matches = 0
    cpu = {"six facet queries": 0.0, "one grouped query": 0.0}
    for word in words:
        (found,) = conn.execute(f"SELECT count(*) FROM articles WHERE {match}", [word]).fetchone()
        matches += found
        for label, sqls in (("six facet queries", six), ("one grouped query", [grouped])):
            started = time.process_time()
            for sql in sqls:
                conn.execute(sql, [word] * sql.count("?")).fetchall()
            cpu[label] += time.process_time() - started
    print(f"facets over every match of {len(words)} common words ({matches // len(words):,} "
          "matches each), CPU in-process:")  # fmt: skip
    for label, seconds in cpu.items():
        print(f"{label:20} {seconds / len(words) * 1000:6.0f} ms a search   "
              f"{seconds / matches * 1e6:5.2f} µs a match")  # fmt: skip
    conn.close()


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
    global SERVER
    SERVER = psutil.Process(server.pid)
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
        with httpx.Client(base_url=base, timeout=120) as client:
            print(f"search page, {args.repeat} requests per kind, ranked by relevance (default),"
                  " with every facet and the total count:")  # fmt: skip
            measure(client, database, kinds, args.repeat, {})
            print("the same, second page of ranked results (?_rank_page=1):")
            measure(client, database, kinds, args.repeat, {"_rank_page": "1"})
            print("sorted by date (?_sort_desc=published_utc):")
            measure(client, database, kinds, args.repeat, {"_sort_desc": "published_utc"})
            print("ranked results past the depth (?_rank_page=25: matches 1,001-2,000 ranked):")
            measure(client, database, kinds, args.repeat, {"_rank_page": "25"})
            # Datasette's own "next" cursor (date, id) at the 100,000th oldest article: for
            # a common word ~270,000 matches from the top.
            cursor = ",".join(map(tilde_encode, (published(100_000), "100000")))
            print("a deep date-sorted page (?_sort_desc=published_utc&_next=…, 100,000th oldest):")
            deep = {"_sort_desc": "published_utc", "_next": cursor}
            measure(client, database, kinds, args.repeat, deep)
            print("the search as an Atom feed (articles.atom?_search=…, 50 newest):")
            feed_args = {"_nofacet": "1", "_nocount": "1"}  # as the page's feed link has it
            measure(client, database, kinds, args.repeat, feed_args, fmt=".atom")
            print("a facet selection (?source=…, every facet counted):")
            sources = [(f"/{database}/articles", {"source": f"source{i:02d}"}) for i in range(40)]
            timed(client, "source facet", sources, args.repeat)
            searched = [
                (p, q | {"_search": w})
                for (p, q), w in zip(sources, kinds["common word (30%)"] * 4, strict=False)
            ]
            timed(client, "source + common word", searched, args.repeat)
            stream_csv(client, database, 100_000)
        facet_cpu(args.db, kinds["common word (30%)"][:3])
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
