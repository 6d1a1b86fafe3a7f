"""Archive write throughput: extracted articles through dedupe and the store, against the
same rows inserted with raw `sqlite3.executemany` (the ceiling).

    python benchmarks/ingest.py --articles 200000 [--profile] [--drop-index NAME]

Articles look like extracted news (about 4 KB of body text in paragraphs, its HTML, title,
authors, tags, dates), each its own text; one in a hundred repeats an earlier article's
text under another URL and one in a hundred is a trimmed republished copy, so the store's
duplicate and near-duplicate paths run too. Both runs write into fresh archives made by
`open_archive` (indexes and full-text search included), in transactions of the crawl's
batch size. Only the writing is timed, not the making of the articles.

- store: `DedupePipeline.process_item` (canonical URL, content hash) on every article,
  then `Archive(db).write(batch)`, the StorePipeline's writer;
- ceiling: the rows `article_row` makes, `executemany`'d into `articles` and
  `article_urls` (FTS filled by the same triggers), nothing looked up.

Prints articles/s for both, their ratio (target >= 0.60), and the time per article of
each over the first and the last 10,000 articles: both slow down as the band index grows
past the page cache, and the store's lookups must not add much to that (its growth over
the ceiling's, target <= 1.5). `--profile` runs the store under cProfile and prints its top
entries (py-spy does the same from outside: `py-spy record -- python benchmarks/ingest.py`).
`--drop-index NAME` runs the store again without that index and prints the store's CPU per
article with and without it: what the index costs the writer.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sqlite3
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.sitegen import NAMES, SECTIONS, WORDS, language_of  # noqa: E402
from pipelines.archive import open_archive  # noqa: E402
from pipelines.dedupe import DedupePipeline  # noqa: E402
from pipelines.store import Archive, article_row, now  # noqa: E402
from pipelines.textsearch import register_functions  # noqa: E402
from scraper import settings  # noqa: E402
from scraper.config import parse_config  # noqa: E402
from scraper.extract.fingerprint import band_keys  # noqa: E402
from scraper.items import Article  # noqa: E402

ORIGIN = "https://harbor.example"
CONFIG = parse_config(f'[[source]]\nname = "harbor"\nstart_urls = ["{ORIGIN}/"]\n')
REPEAT_EVERY = 100  # one article in this many repeats an earlier one's text
COPY_EVERY = 100  # one in this many republishes an earlier one, trimmed and credited
PARAGRAPHS = 8  # of 60-95 words: about 4 KB of body
VOCABULARY = {lang: np.array(text.split(), dtype=object) for lang, text in WORDS.items()}
WINDOW = 10_000  # articles per "first/last" timing window


def story(n: int, lang: str) -> list[str]:
    """The paragraphs of story `n`: its own text (seeded by `n`), with figures, as news has."""
    rng = np.random.default_rng(n)
    vocabulary = VOCABULARY[lang]
    paragraphs = []
    for size in rng.integers(60, 96, PARAGRAPHS):
        words = vocabulary[rng.integers(0, len(vocabulary), size)].tolist()
        words.insert(int(rng.integers(1, size)), str(rng.integers(2, 5000)))
        paragraphs.append(" ".join(words).capitalize() + ".")
    return paragraphs


def articles(count: int, batch: int) -> Iterator[list[Article]]:
    """`count` extracted articles in batches, the same on every call.

    Every story is its own text, as in a real archive. One in REPEAT_EVERY repeats an
    earlier story word for word under another URL (the store's alias path); one in
    COPY_EVERY is an earlier story republished with its last paragraph cut and a credit
    line added (the near-duplicate path: LSH candidates, then the text comparison).
    """
    out: list[Article] = []
    for n in range(count):
        if n % REPEAT_EVERY == REPEAT_EVERY - 1:
            text_of, copied = n - REPEAT_EVERY // 2, False
        elif n % COPY_EVERY == COPY_EVERY // 3:
            text_of, copied = n - COPY_EVERY // 4, True
        else:
            text_of, copied = n, False
        lang = language_of(text_of)
        body = story(text_of, lang)
        if copied:
            body = [*body[:-1], f"Harbor Daily, story {text_of}."]
        url = f"{ORIGIN}/news/{n // 1000}/story-{n}.html"
        out.append(
            Article(
                title=f"{body[0][:60]} {text_of}",
                authors=[NAMES[lang][n % len(NAMES[lang])]],
                published=f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}T12:00:00+03:00",
                modified=None,
                language=lang,
                section=SECTIONS[n % len(SECTIONS)],
                tags=[SECTIONS[n % len(SECTIONS)], f"topic-{n % 97}"],
                image=f"{ORIGIN}/img/{n}.jpg",
                description=body[0][:160],
                canonical_url=url,
                site_name="Harbor Daily",
                body="\n\n".join(body),
                body_html="".join(f"<p>{p}</p>" for p in body),
                url=url,
                source="harbor",
                fetched_at="2024-06-01T00:00:00+00:00",
                status=200,
                headers={"Content-Type": "text/html; charset=utf-8", "Etag": f'"{n:x}"'},
                urls_seen=[url],
            )
        )
        if len(out) == batch:
            yield out
            out = []
    if out:
        yield out


def banded(chunk: list[Article]) -> float:
    """Seconds spent on the chunk's band keys: in a crawl, the extraction workers' share."""
    started = time.perf_counter()
    for article in chunk:
        article.band_keys = band_keys(article.body)
    return time.perf_counter() - started


class Clock:
    """Seconds spent writing, in all and per article over each WINDOW of articles."""

    def __init__(self) -> None:
        self.spent, self.windows, self._window, self._done = 0.0, [], 0.0, 0

    def add(self, seconds: float, articles: int) -> None:
        self.spent += seconds
        self._window += seconds
        self._done += articles
        if self._done % WINDOW == 0:
            self.windows.append(self._window / WINDOW)
            self._window = 0.0

    @property
    def growth(self) -> float:
        """The last window's time per article over the first's."""
        return self.windows[-1] / self.windows[0]

    def windows_line(self) -> str:
        first, last = self.windows[0], self.windows[-1]
        return (
            f"first {WINDOW:,} {first * 1e6:.0f} us, last {WINDOW:,} {last * 1e6:.0f} us "
            f"(x{self.growth:.2f})"
        )


def run_store(
    db_path: Path, count: int, batch: int, drop_index: str | None = None
) -> tuple[Clock, float, float]:
    """The store's writing time, the seconds spent on band keys, and the writing's CPU
    seconds; with `drop_index`, into an archive without that index."""
    db = open_archive(db_path)
    if drop_index:
        db.execute(f"DROP INDEX {drop_index}")
    archive = Archive(db)
    dedupe = DedupePipeline(SimpleNamespace(spider=SimpleNamespace(config=CONFIG)))
    clock, hashing, cpu = Clock(), 0.0, 0.0
    for chunk in articles(count, batch):
        hashing += banded(chunk)
        started, cpu_started = time.perf_counter(), time.process_time()
        archive.write([dedupe.process_item(a) for a in chunk])
        clock.add(time.perf_counter() - started, len(chunk))
        cpu += time.process_time() - cpu_started
    db.close()
    return clock, hashing, cpu


def run_ceiling(db_path: Path, count: int, batch: int) -> Clock:
    """The time spent inserting the same rows with executemany, one transaction per batch."""
    db = open_archive(db_path)
    db.close()
    conn = sqlite3.connect(db_path)
    register_functions(conn)  # the same schema: its search-index triggers call them
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")
    dedupe = DedupePipeline(SimpleNamespace(spider=SimpleNamespace(config=CONFIG)))
    clock, next_id, sql = Clock(), 1, None
    for chunk in articles(count, batch):
        seen = now()
        rows, bands = [], []
        for article in chunk:
            row = article_row(dedupe.process_item(article), seen)
            rows.append({"id": next_id, **row, "first_seen": seen, "version": 1})
            bands.extend((key, next_id) for key in band_keys(article.body))
            next_id += 1
        if sql is None:
            columns = list(rows[0])
            sql = (
                f"INSERT INTO articles ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' * len(columns))})"
            )
        started = time.perf_counter()
        with conn:
            conn.executemany(sql, [tuple(r.values()) for r in rows])
            conn.executemany(
                "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
                [(r["url"], r["id"], seen) for r in rows],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO minhash_bands (key, article_id) VALUES (?, ?)", bands
            )
        clock.add(time.perf_counter() - started, len(chunk))
    conn.close()
    return clock


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=200_000)
    ap.add_argument("--batch", type=int, default=settings.NEWSARCHIVE_BATCH_SIZE)
    ap.add_argument("--profile", action="store_true", help="cProfile the store run")
    ap.add_argument("--drop-index", metavar="NAME", help="also run the store without it")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-ingest-") as tmp:
        ceiling = run_ceiling(Path(tmp) / "ceiling.db", args.articles, args.batch)
        print(
            f"== ceiling (executemany): {args.articles} articles in {ceiling.spent:.1f} s = "
            f"{args.articles / ceiling.spent:.0f} articles/s"
        )
        profiler = cProfile.Profile() if args.profile else None
        if profiler:
            profiler.enable()
        store, hashing, cpu = run_store(Path(tmp) / "store.db", args.articles, args.batch)
        if profiler:
            profiler.disable()
        size = (Path(tmp) / "store.db").stat().st_size
        print(
            f"== store (dedupe + Archive.write): {args.articles} articles in {store.spent:.1f} s "
            f"= {args.articles / store.spent:.0f} articles/s; archive {size / 1e6:.0f} MB"
        )
        if len(store.windows) >= 2:
            # Both slow down as the band index outgrows the page cache; what the store adds
            # on top (its dedupe lookups) must stay small.
            print(f"   per article, store:   {store.windows_line()}")
            print(f"   per article, ceiling: {ceiling.windows_line()}")
            print(
                f"   store's growth / ceiling's: {store.growth / ceiling.growth:.2f} "
                "(target <= 1.5)"
            )
        print(
            f"== band keys (MinHash; in a crawl the extraction workers compute them): "
            f"{hashing / args.articles * 1e6:.0f} us per article"
        )
        print(f"== store / ceiling: {ceiling.spent / store.spent:.2f} (target >= 0.60)")
        print(
            "   with the band keys computed in the writer too: "
            f"{ceiling.spent / (store.spent + hashing):.2f}"
        )
        if args.drop_index:
            _, _, cpu_without = run_store(
                Path(tmp) / "without.db", args.articles, args.batch, args.drop_index
            )
            print(
                f"== store CPU per article: {cpu / args.articles * 1e6:.0f} us, without "
                f"{args.drop_index} {cpu_without / args.articles * 1e6:.0f} us "
                f"(with / without: {cpu / cpu_without:.3f})"
            )
        if profiler:
            pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


if __name__ == "__main__":
    main()
