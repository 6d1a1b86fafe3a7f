"""What schema 7's search index (headline, lead, body, authors, tags) costs against
schema 6's (headline and body), on the same generated archive, in one run.

    python benchmarks/search_index.py [--rows 50000] [--workdir /tmp/newsarchive-index]

Builds (once; delete the folder to rebuild) an archive of `--rows` articles like
`search.py`'s (pseudo-Russian ~2 KB bodies, planted common and rare words), each with a
30-word lead, one author and three tags, through the real schema at its current version.
A copy gets schema 6's index instead. Then it prints, for both: the index's size (FTS5
blocks) and the file's, the CPU time of a search as the ranked search page runs it (all
matches counted, bm25 over the 1,000 newest, the best 50) per kind of query, and the
upgrade of the schema 6 copy to schema 7 (CPU seconds, and per million articles).
CPU time (time.process_time), so other work on the machine does not change the figures.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.search import COMMON, RARE, generate, vocabulary  # noqa: E402
from pipelines.archive import open_archive  # noqa: E402
from pipelines.textsearch import (  # noqa: E402
    FTS_TABLE,
    FTS_WEIGHTS,
    QUERY_FUNCTION,
    SCHEMA_6_COLUMNS,
    create_search_index,
    rebuild_search_index,
    register_functions,
)
from scraper.serve.plugin import SEARCH_DEPTH, _matches_sql  # noqa: E402

LEAD_WORDS = 30


def rows(rows: int):
    rng = random.Random(7)
    vocab = vocabulary(random.Random(6))[:2000]
    for url, source, title, body, language, authors, published, utc in generate(rng, rows):
        lead = " ".join(body.split()[8 : 8 + LEAD_WORDS]).capitalize() + "."
        tags = json.dumps(rng.sample(vocab, 3), ensure_ascii=False)
        yield url, source, title, lead, body, language, authors, tags, published, utc


def build(db_path: Path, count: int) -> None:
    db = open_archive(db_path)
    started = time.process_time()
    with db.conn:
        db.conn.executemany(
            "INSERT INTO articles (canonical_url, source, title, description, body, language, "
            "authors, tags, published, published_utc, first_seen, last_seen) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, datetime('now'), datetime('now'))",
            rows(count),
        )
    seconds = time.process_time() - started
    db.execute("VACUUM")
    db.close()
    print(f"built {count:,} articles (schema 7 index fed by its triggers): {seconds:.0f} s CPU")


def to_schema_6(path: Path) -> float:
    """The index as schema 6 made it; returns the CPU seconds its rebuild took."""
    conn = sqlite3.connect(path)
    register_functions(conn)
    started = time.process_time()
    with conn:
        create_search_index(conn, SCHEMA_6_COLUMNS)
        rebuild_search_index(conn, SCHEMA_6_COLUMNS)
        conn.execute("PRAGMA user_version = 6")
    seconds = time.process_time() - started
    conn.execute("VACUUM")
    conn.close()
    return seconds


def index_size(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT sum(length(block)) FROM {FTS_TABLE}_data").fetchone()[0]


def search_sql(weights: tuple[float, ...]) -> tuple[str, str]:
    """The ranked page's two FTS queries: the total, and the best 50 of the 1,000 newest."""
    match = f"{FTS_TABLE} MATCH {QUERY_FUNCTION}(:q)"
    total = f"SELECT count(*) FROM {FTS_TABLE} WHERE {match}"
    ranked = f"""
        SELECT rowid FROM {FTS_TABLE}
        WHERE {match} AND rank MATCH 'bm25({", ".join(map(str, weights))})'
          AND rowid >= (SELECT min(rowid) FROM (
            SELECT rowid FROM {FTS_TABLE} WHERE {match} ORDER BY rowid DESC LIMIT 1000))
        ORDER BY rank LIMIT 50"""
    return total, ranked


def searches(path: Path, weights: tuple[float, ...], kinds: dict[str, list[str]], repeat: int):
    """CPU ms per search, by kind, and the total matches of the first query of each."""
    conn = sqlite3.connect(path)
    register_functions(conn)
    total, ranked = search_sql(weights)
    figures = {}
    for kind, queries in kinds.items():
        started = time.process_time()
        for _ in range(repeat):
            for q in queries:
                conn.execute(total, {"q": q}).fetchone()
                conn.execute(ranked, {"q": q}).fetchall()
        ms = (time.process_time() - started) * 1000 / (repeat * len(queries))
        figures[kind] = (ms, conn.execute(total, {"q": queries[0]}).fetchone()[0])
    conn.close()
    return figures


def scoped(path: Path, repeat: int) -> None:
    """CPU ms of the search page's two match queries (the newest SEARCH_DEPTH, and the
    total) for a common word, within a source or dates (the search form's scope)."""
    conn = sqlite3.connect(path)
    register_functions(conn)
    last = conn.execute("SELECT max(published_utc) FROM articles").fetchone()[0][:10]
    any_ = {"source": "", "date_from": "", "date_to": ""}
    scopes = {
        "no scope": any_,
        "one source of 40": any_ | {"source": "source07"},
        "the last 10 days": any_ | {"date_from": f"{last[:8]}01", "date_to": last},
    }
    heading = "common word, schema 7 (CPU ms)"
    print(f"{heading:30} {'newest':>10} {'total':>10}  matches of the last word")
    for label, scope in scopes.items():
        figures = []
        for depth in (SEARCH_DEPTH, None):
            sql = f"SELECT count(*) FROM ({_matches_sql(depth, scope)})"
            started = time.process_time()
            for _ in range(repeat):
                for word in COMMON:
                    found = conn.execute(sql, {"search": word, **scope}).fetchone()[0]
            figures.append((time.process_time() - started) * 1000 / (repeat * len(COMMON)))
        print(f"{label:30} {figures[0]:10.1f} {figures[1]:10.1f}  {found:,}")
    conn.close()


def pages(path: Path, repeat: int) -> None:
    """CPU ms of a whole search page (Datasette in this process: ranking, count, facets,
    template) for a common word, plain and within the search form's dates or source."""
    import asyncio

    from scraper.serve.runner import make_datasette

    client = make_datasette(path).client
    conn = sqlite3.connect(path)
    last = conn.execute("SELECT max(published_utc) FROM articles").fetchone()[0][:10]
    first = conn.execute("SELECT min(published_utc) FROM articles").fetchone()[0][:10]
    conn.close()
    forms = {
        "plain (ranked)": {},
        "last 10 days (ranked)": {"_from": f"{last[:8]}01", "_to": last},
        "first 10 days (ranked)": {"_from": first, "_to": f"{first[:8]}10"},
        "one source (newest first)": {"_source": "source07"},
    }

    async def run() -> None:
        print(f"{'search page, common word':30} {'CPU ms':>10}")
        for label, form in forms.items():
            started = time.process_time()
            for _ in range(repeat):
                for word in COMMON:
                    response = await client.get(
                        f"/{path.stem}/articles", params={"_search": word} | form
                    )
                    assert response.status_code == 200
            ms = (time.process_time() - started) * 1000 / (repeat * len(COMMON))
            print(f"{label:30} {ms:10.0f}")

    asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/newsarchive-index"))
    parser.add_argument("--repeat", type=int, default=5, help="rounds of every query")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    new = args.workdir / f"schema7-{args.rows}.db"
    if not new.exists():
        build(new, args.rows)
    old = args.workdir / f"schema6-{args.rows}.db"
    shutil.copy(new, old)
    to_schema_6(old)
    upgrading = args.workdir / f"upgrade-{args.rows}.db"
    shutil.copy(old, upgrading)
    started = time.process_time()
    open_archive(upgrading).close()
    upgrade = time.process_time() - started
    upgrading.unlink()
    for suffix in ("-wal", "-shm"):
        Path(f"{upgrading}{suffix}").unlink(missing_ok=True)

    print(f"{args.rows:,} articles")
    for label, path in (("schema 6 (title, body)", old), ("schema 7 (+lead, authors, tags)", new)):
        print(f"{label:32} index {index_size(path) / 2**20:7.1f} MB   "
              f"file {path.stat().st_size / 2**20:7.1f} MB")  # fmt: skip
    print(f"index size ratio 7/6: {index_size(new) / index_size(old):.2f}")
    print(f"upgrade 6 -> 7: {upgrade:.1f} s CPU ({upgrade / args.rows * 1e6 / 60:.1f} min CPU "
          f"per million articles)")  # fmt: skip
    kinds = {
        "rare word": RARE[:10],
        "common word (30%)": COMMON,
        "two words": [f"{a} {b}" for a, b in zip(COMMON, COMMON[1:], strict=False)],
        "author": [f"Автор {n}" for n in range(10)],
    }
    before = searches(old, FTS_WEIGHTS[:1] + FTS_WEIGHTS[2:3], kinds, args.repeat)
    after = searches(new, FTS_WEIGHTS, kinds, args.repeat)
    print(f"{'search (CPU ms, ranked page)':30} {'schema 6':>10} {'schema 7':>10} {'7/6':>6}"
          f"  matches 6 / 7")  # fmt: skip
    for kind in kinds:
        (ms6, n6), (ms7, n7) = before[kind], after[kind]
        print(f"{kind:30} {ms6:10.1f} {ms7:10.1f} {ms7 / ms6:6.2f}  {n6:,} / {n7:,}")
    scoped(new, args.repeat)
    pages(new, args.repeat)


if __name__ == "__main__":
    main()
