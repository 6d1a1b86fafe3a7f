"""Write articles into the archive, in batches, one transaction per batch.

The rules for an incoming article, in order:
- its canonical URL (or any URL it was reached under) is archived:
  - same text (title + body, whitespace and case folded): only `last_seen` moves;
  - changed text from the same raw page: the extractor changed, not the article; the row
    is updated in place;
  - changed text from a changed page: an edit; the archived text goes to
    `article_versions` and `version` counts up;
  - a page fetched before the archived text (a WARC import of older captures): it takes
    its place in the history by date (`Archive._backdate`);
- the same body is archived under another URL of the same source: the URL becomes an
  alias of that article (a duplicate);
- otherwise it is a new article; when its text is a near copy of archived articles (LSH
  candidates, then `near_duplicate`), `duplicate_of` names the earliest of them.
Every fetched page is kept compressed in `pages` unless raw retention is off; a page judged
not an article is kept in `not_articles` and recorded in crawl_errors (kind `not_article`).
A crawl sees its pages now; an import (`captured`) saw each at its capture time, and
first_seen, last_seen and the pages' fetch times follow that.
A batch is all-or-nothing, so a killed crawl never leaves half an article behind.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import time
from collections import Counter, defaultdict
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlite_utils
from scrapy import signals
from scrapy.exceptions import DropItem

from pipelines.archive import open_archive
from pipelines.dedupe import bands_of, near_duplicate
from pipelines.lock import writer_lock
from pipelines.textsearch import terms_ready
from scraper.extract.dates import to_utc
from scraper.extract.fingerprint import band_keys, body_hash
from scraper.items import Article, json_text

logger = logging.getLogger(__name__)
# How many LSH candidates, most shared bands first, are compared text to text.
MAX_CANDIDATES = 20


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def raw_hash(article: Article) -> str | None:
    if article.packed is not None:
        return article.packed.sha256
    return hashlib.sha256(article.raw_html).hexdigest() if article.raw_html else None


def text_row(article: Article) -> dict[str, Any]:
    """The columns that come from extraction (what `reprocess` may rewrite)."""
    return {
        "title": article.title,
        "authors": json_text(article.authors),
        "organizations": json_text(article.organizations),
        "published": article.published,
        "published_utc": to_utc(article.published),
        "modified": article.modified,
        "modified_utc": to_utc(article.modified),
        "language": article.language,
        "section": article.section,
        "tags": json_text(article.tags),
        "image": article.image,
        "description": article.description,
        "site_name": article.site_name,
        "body": article.body,
        "body_html": article.body_html,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "body_hash": article.body_hash or body_hash(article.body),
    }


def article_row(article: Article, seen: str) -> dict[str, Any]:
    return {
        "canonical_url": article.canonical_url,
        "url": article.url,
        "source": article.source,
        **text_row(article),
        "raw_hash": raw_hash(article),
        "fetched_at": article.fetched_at or seen,
        "last_seen": seen,
        "etag": article.headers.get("Etag"),
        "http_last_modified": article.headers.get("Last-Modified"),
    }


def _insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict[str, Any]]) -> list[int]:
    """INSERT rows of the same columns, their values already SQLite types, in one
    statement; their new rowids, in order.

    One statement: inside a transaction, each statement that fires a trigger opens a
    statement savepoint, and FTS5 (SQLite 3.40 here) flushes the search index's pending
    terms into a new segment at each, so one INSERT per article cost the index twice what
    one per batch does (benchmarks/README.md). A plain statement (sqlite3 caches it
    prepared): sqlite-utils' `insert` re-derives the SQL and converts every value per call.
    """
    columns, width = ", ".join(rows[0]), len(rows[0])
    per_statement = db.conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    ids = []
    for start in range(0, len(rows), per_statement):
        chunk = rows[start : start + per_statement]
        marks = ", ".join(["(" + ", ".join("?" * width) + ")"] * len(chunk))
        cursor = db.conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES {marks} RETURNING rowid",
            [value for row in chunk for value in row.values()],
        )
        # RETURNING's order is not documented: rowids are allocated in ascending order.
        ids.extend(sorted(rowid for (rowid,) in cursor))
    return ids


def set_bands(
    db: sqlite_utils.Database, article_id: int, keys: list[int], old_body: str | None = None
) -> None:
    """Index the article's LSH band keys, replacing those of its previous body."""
    if old_body is not None:
        db.conn.executemany(
            "DELETE FROM minhash_bands WHERE key = ? AND article_id = ?",
            [(key, article_id) for key in band_keys(old_body)],
        )
    db.conn.executemany(
        "INSERT OR IGNORE INTO minhash_bands (key, article_id) VALUES (?, ?)",
        [(key, article_id) for key in keys],
    )


@dataclass
class Held:
    """New articles of a batch waiting to be inserted together (`Archive._insert_held`),
    and what a later article of the batch could meet them by in the archive's lookups."""

    articles: list[tuple[Article, dict[str, Any], str, list[int]]] = field(default_factory=list)
    urls: set[str | None] = field(default_factory=set)
    bodies: set[tuple[str | None, str]] = field(default_factory=set)  # (source, body_hash)
    keys: set[int] = field(default_factory=set)  # LSH band keys

    def add(self, article: Article, row: dict[str, Any], seen: str, keys: list[int]) -> None:
        """Hold `row`, the article's new row."""
        self.articles.append((article, row, seen, keys))
        self.urls.update((article.canonical_url, *article.urls_seen))
        self.bodies.add((row["source"], row["body_hash"]))
        self.keys.update(keys)

    def meets(self, article: Article, row: dict[str, Any]) -> bool:
        """Would `Archive._find` or `_same_body` find a held article for this one?"""
        return bool(self.articles) and (
            not self.urls.isdisjoint((article.canonical_url, *article.urls_seen))
            or (row["source"], row["body_hash"]) in self.bodies
        )

    def shares(self, keys: list[int]) -> bool:
        """Would `Archive._copied_from` find a held article as a candidate?"""
        return not self.keys.isdisjoint(keys)


class Archive:
    """The archive seen from a crawl: upserts articles and records the run."""

    def __init__(
        self, db: sqlite_utils.Database, *, keep_raw: bool = True, captured: bool = False
    ) -> None:
        self.db = db
        self.keep_raw = keep_raw
        self.captured = captured  # articles were seen at their fetched_at, not now
        self.outcomes: Counter[tuple[str, str]] = Counter()  # (source, new|updated|...) -> n
        # (source, url) -> (reason, words) of the pages judged not articles, for crawl_errors
        self.not_articles: dict[tuple[str, str], tuple[str, int]] = {}
        self.held = Held()

    _CURRENT = "a.id, a.content_hash, a.raw_hash, a.version, a.title, a.body, a.fetched_at"

    def _find(self, article: Article) -> dict[str, Any] | None:
        """The archived article under this canonical URL, else under any URL it was seen at.

        `article_urls` holds every article's canonical URL too, so one lookup does both.
        """
        urls = [article.canonical_url, *article.urls_seen]
        marks = ",".join("?" * len(urls))
        cursor = self.db.execute(
            f"SELECT {self._CURRENT} FROM article_urls u JOIN articles a ON a.id = u.article_id "
            f"WHERE u.url IN ({marks}) ORDER BY u.url = ? DESC LIMIT 1",
            [*urls, article.canonical_url],
        )
        row = cursor.fetchone()
        return dict(zip([c[0] for c in cursor.description], row, strict=True)) if row else None

    def _same_body(self, source: str | None, digest: str) -> int | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE source = ? AND body_hash = ? LIMIT 1",
            [source, digest],
        ).fetchone()
        return row[0] if row else None

    def _copied_from(self, body: str, keys: list[int]) -> tuple[int, str] | None:
        """(id, sort date) of the earliest archived article `body` is a near copy of."""
        marks = ",".join("?" * len(keys))
        candidates = self.db.execute(
            f"SELECT article_id FROM minhash_bands WHERE key IN ({marks}) "
            f"GROUP BY article_id ORDER BY count(*) DESC LIMIT {MAX_CANDIDATES}",
            keys,
        ).fetchall()
        originals = []
        for (candidate,) in candidates:
            other, root = self.db.execute(
                "SELECT body, coalesce(duplicate_of, id) FROM articles WHERE id = ?", [candidate]
            ).fetchone()
            if near_duplicate(body, other):
                originals.append(root)
        if not originals:
            return None
        marks = ",".join("?" * len(originals))
        return self.db.execute(
            f"SELECT id, coalesce(published_utc, first_seen) AS date FROM articles "
            f"WHERE id IN ({marks}) ORDER BY date, id LIMIT 1",
            originals,
        ).fetchone()

    def _record_urls(self, article_id: int, article: Article, seen: str) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
            [(url, article_id, seen) for url in {article.canonical_url, *article.urls_seen}],
        )

    def _keep_page(self, article_id: int, article: Article, row: dict[str, Any]) -> None:
        """The raw page, compressed, once per distinct page of the article."""
        if not (self.keep_raw and (page := article.packed_page())):
            return
        fetched = row["fetched_at"]
        self.db.execute(
            "INSERT INTO pages (article_id, raw_hash, url, status, headers, fetched_at, "
            "last_fetched, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (article_id, raw_hash) DO UPDATE SET "
            "fetched_at = min(fetched_at, excluded.fetched_at), "
            "last_fetched = max(last_fetched, excluded.last_fetched)",
            [
                article_id,
                row["raw_hash"],
                article.url,
                article.status,
                json.dumps(article.headers, ensure_ascii=False),
                fetched,
                fetched,
                page.size,
                page.data,
            ],
        )

    def _keep_not_article(self, article: Article) -> None:
        """A page judged not an article: why, for crawl_errors, and the page itself,
        compressed, so that `reprocess` can archive it once the extractor finds its text."""
        source, url = article.source or "", article.url or ""
        self.not_articles[(source, url)] = (article.not_article or "", article.word_count)
        self.outcomes[(source, "not_article")] += 1
        if not (self.keep_raw and (page := article.packed_page())):
            return
        self.db.execute(
            "INSERT OR REPLACE INTO not_articles (url, source, reason, words, status, headers, "
            "fetched_at, size, raw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                url,
                source,
                article.not_article,
                article.word_count,
                article.status,
                json.dumps(article.headers, ensure_ascii=False),
                article.fetched_at or now(),
                page.size,
                page.data,
            ],
        )

    def _insert(self, article: Article, row: dict[str, Any], seen: str, keys: list[int]) -> None:
        """A new article: held to be inserted with the batch's other new articles (see
        `_insert_rows`), unless it is a copy of archived ones."""
        original = self._copied_from(article.body, keys)
        row = {**row, "first_seen": seen, "version": 1, "duplicate_of": None}
        if original is None:
            self.held.add(article, row, seen, keys)
            return
        self._insert_held()  # the ids stay in the order the articles came in
        (article_id,) = _insert_rows(self.db, "articles", [row])
        original_id, original_date = original
        if row["published_utc"] and row["published_utc"] < original_date:
            # The newcomer is the earliest of its copies: it becomes their original.
            self.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ? OR duplicate_of = ?",
                [article_id, original_id, original_id],
            )
        else:
            self.db.execute(
                "UPDATE articles SET duplicate_of = ? WHERE id = ?", [original_id, article_id]
            )
        set_bands(self.db, article_id, keys)
        self._settle(article_id, article, row, seen, "copy")

    def _insert_held(self) -> None:
        """Insert the held new articles, in one statement, and what goes with each."""
        held, self.held = self.held, Held()
        if not held.articles:
            return
        ids = _insert_rows(self.db, "articles", [row for _, row, _, _ in held.articles])
        for article_id, (article, row, seen, keys) in zip(ids, held.articles, strict=True):
            set_bands(self.db, article_id, keys)
            self._settle(article_id, article, row, seen, "new")

    def _update(self, existing: dict[str, Any], article: Article, row: dict[str, Any]) -> str:
        """A refetch with other text: an edit, unless the page itself is the same."""
        article_id = existing["id"]
        row = {k: v for k, v in row.items() if k != "last_seen"}  # see `write`
        edited = row["raw_hash"] is None or row["raw_hash"] != existing["raw_hash"]
        if edited:
            self.db["article_versions"].insert(
                {
                    "article_id": article_id,
                    "version": existing["version"],
                    "fetched_at": existing["fetched_at"],
                    "superseded_at": row["fetched_at"],
                    "title": existing["title"],
                    "body": existing["body"],
                    "content_hash": existing["content_hash"],
                    "raw_hash": existing["raw_hash"],
                }
            )
            row = {**row, "version": existing["version"] + 1}
        else:
            row = {k: v for k, v in row.items() if k != "fetched_at"}
        self.db["articles"].update(article_id, row)
        set_bands(self.db, article_id, bands_of(article), old_body=existing["body"])
        return "updated" if edited else "reextracted"

    def _backdate(self, existing: dict[str, Any], article: Article, fetched: str) -> str:
        """A page fetched before the archived text: put its text into the history by date.

        Versions are numbered in fetch order, each superseded when the next was fetched.
        The text live at `fetched` already saying the same, or the same page, changes
        nothing; the text of the next version means that version was live earlier; any
        other text is a version of its own, and the later ones are numbered up.
        """
        article_id = existing["id"]
        history = self.db.execute(
            "SELECT version, fetched_at, content_hash, raw_hash FROM article_versions "
            "WHERE article_id = ? ORDER BY version",
            [article_id],
        ).fetchall()
        current = (existing["version"], existing["fetched_at"], existing["content_hash"])
        history.append((*current, existing["raw_hash"]))
        earlier = 0  # how many versions were fetched no later than this page
        while (history[earlier][1] or "") <= fetched:
            earlier += 1
        previous = history[earlier - 1] if earlier else None
        following = history[earlier]
        page = raw_hash(article)
        same_page = page is not None and page in {h[3] for h in history}
        if same_page or (previous and previous[2] == article.content_hash):
            return "unchanged"
        one_version = "WHERE article_id = ? AND version = ?"
        if previous:
            self.db.execute(
                f"UPDATE article_versions SET superseded_at = ? {one_version}",
                [fetched, article_id, previous[0]],
            )
        if following[2] == article.content_hash:  # that text was live earlier than known
            if following[0] == existing["version"]:
                self.db.execute(
                    "UPDATE articles SET fetched_at = ? WHERE id = ?", [fetched, article_id]
                )
            else:
                self.db.execute(
                    f"UPDATE article_versions SET fetched_at = ? {one_version}",
                    [fetched, article_id, following[0]],
                )
            return "unchanged"
        # Numbered up by way of negative numbers: the primary key is checked row by row.
        self.db.execute(
            "UPDATE article_versions SET version = -(version + 1) "
            "WHERE article_id = ? AND version >= ?",
            [article_id, following[0]],
        )
        self.db.execute(
            "UPDATE article_versions SET version = -version WHERE article_id = ? AND version < 0",
            [article_id],
        )
        self.db.execute("UPDATE articles SET version = version + 1 WHERE id = ?", [article_id])
        self.db["article_versions"].insert(
            {
                "article_id": article_id,
                "version": following[0],
                "fetched_at": fetched,
                "superseded_at": following[1],
                "title": article.title,
                "body": article.body,
                "content_hash": article.content_hash,
                "raw_hash": page,
            }
        )
        return "updated"

    def touch(self, urls: list[str]) -> None:
        """Archived articles that answered 304 Not Modified: seen again, unchanged."""
        seen = now()
        with self.db.atomic():
            self.db.conn.executemany(
                "UPDATE articles SET last_seen = ? "
                "WHERE id = (SELECT article_id FROM article_urls WHERE url = ?)",
                [(seen, url) for url in urls],
            )

    def alias(self, redirects: dict[str, str]) -> None:
        """Keep each redirecting URL as an alias of the archived article it led to."""
        seen = now()
        with self.db.atomic():
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) "
                "SELECT ?, article_id, ? FROM article_urls WHERE url = ?",
                [(source, seen, target) for source, target in redirects.items()],
            )

    def write(self, articles: list[Article]) -> None:
        """Write one batch in one transaction.

        `atomic()`, not `with conn:`: sqlite-utils' insert and update commit on their own
        unless a transaction is already open (BEGIN), which would split an article.
        """
        batch_seen = now()
        # (A stream entry from a node of an older version may carry fewer terms: the index
        # computes those articles' terms itself.)
        ready = [
            pair
            for a in articles
            if a.search_terms and len(a.search_terms) == len(texts := a.indexed_texts())
            for pair in zip(texts, a.search_terms, strict=True)
        ]
        self.held = Held()  # (none left by a write that failed)
        with self.db.atomic(), terms_ready(ready):
            for article in articles:
                seen = article.fetched_at if self.captured and article.fetched_at else batch_seen
                if not article.not_article:
                    self._write_article(article, seen)
                else:
                    self._keep_not_article(article)
                # Settled: a resumed run need not fetch it again (see scraper.crawl.frontier).
                self.db.conn.executemany(
                    "DELETE FROM frontier WHERE url = ?", [(u,) for u in article.urls_seen]
                )
            self._insert_held()

    def _write_article(self, article: Article, seen: str) -> None:
        """Insert, update, back-date or alias one article (the rules in this module's
        docstring). A held new article that this one may be the same story as (a URL, the
        body, a band key in common) is inserted first, so each sees what came before it."""
        row = article_row(article, seen)
        if self.held.meets(article, row):
            self._insert_held()
        existing = self._find(article)
        alias_of = None if existing else self._same_body(row["source"], row["body_hash"])
        if existing is None and alias_of is None:
            keys = bands_of(article)
            if self.held.shares(keys):
                self._insert_held()
            self._insert(article, row, seen, keys)
            return
        page = None
        if alias_of is not None:
            article_id, outcome = alias_of, "duplicate"
        elif existing["fetched_at"] and row["fetched_at"] < existing["fetched_at"]:
            article_id = existing["id"]
            outcome = self._backdate(existing, article, row["fetched_at"])
        elif existing["content_hash"] == article.content_hash:
            article_id, outcome = existing["id"], "unchanged"
            # The page this text now comes from, so a later extractor change
            # on the same page is not taken for an edit.
            page = row["raw_hash"]
        else:
            article_id = existing["id"]
            outcome = self._update(existing, article, row)
        self.db.execute(
            "UPDATE articles SET first_seen = min(first_seen, ?), "
            "last_seen = max(last_seen, ?), raw_hash = coalesce(?, raw_hash) "
            "WHERE id = ?",
            [seen, seen, page, article_id],
        )
        self._settle(article_id, article, row, seen, outcome)

    def _settle(
        self, article_id: int, article: Article, row: dict[str, Any], seen: str, outcome: str
    ) -> None:
        """The article's URLs and page, and its outcome counted."""
        self._record_urls(article_id, article, seen)
        self._keep_page(article_id, article, row)
        self.outcomes[(article.source or "", outcome)] += 1

    def start_run(self, kind: str) -> int:
        """A new `crawls` row, running, of this kind (crawl, import); its id."""
        crawls = self.db["crawls"]
        with self.db.atomic():
            # Runs hold the archive's writer lock, so a row still "running" is a run that was
            # killed; when it died is unknown, so its `finished` stays empty.
            killed = [row["id"] for row in crawls.rows_where("status = 'running'", select="id")]
            for crawl_id in killed:
                crawls.update(crawl_id, {"status": "interrupted"})
            run = crawls.insert({"started": now(), "status": "running", "kind": kind}).last_pk
        if killed:
            logger.warning(
                "crawl %s never finished (killed or crashed): marked interrupted",
                ", ".join(map(str, killed)),
            )
        return run

    def source_counts(self) -> defaultdict[str, dict[str, int]]:
        """Articles new, updated and duplicated per source, from this archive's outcomes.
        A copy from another source is a new row too, with duplicate_of set: it counts in
        both."""
        counts: defaultdict[str, dict[str, int]] = defaultdict(
            lambda: dict.fromkeys(("articles_new", "articles_updated", "duplicates"), 0)
        )
        columns = {
            "new": ("articles_new",),
            "updated": ("articles_updated",),
            "duplicate": ("duplicates",),
            "copy": ("articles_new", "duplicates"),
        }
        for (source, outcome), n in self.outcomes.items():
            for column in columns.get(outcome, ()):
                counts[source][column] += n
        return counts

    def record_not_articles(self, crawl_id: int) -> None:
        """List the pages judged not articles since the last call in crawl_errors (kind
        `not_article`, with the reason and word count), under the run `crawl_id`."""
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO crawl_errors (crawl_id, source, kind, url, count, reason, "
            "words) VALUES (?, ?, 'not_article', ?, 1, ?, ?)",
            [(crawl_id, *key, *why) for key, why in self.not_articles.items()],
        )
        self.not_articles.clear()

    def record_run(
        self,
        crawl_id: int,
        pages: dict[str, int],
        failures: Counter[tuple[str | None, str, str]],
        *,
        failed: bool,
        seconds: float,
    ) -> None:
        """The crawls row (totals) and one crawl_sources row per source of `pages`
        (source -> pages fetched); a source whose every request failed has failed."""
        counts = self.source_counts()
        sources = [
            {"crawl_id": crawl_id, **row, **counts[row["source"]]}
            for row in per_source(pages, failures)
        ]
        failed = failed or any(row["status"] == "failed" for row in sources)
        totals = {
            key: sum(row[key] for row in sources)
            for key in ("pages", "articles_new", "articles_updated", "duplicates")
        }
        totals["errors"] = sum(failures.values())  # those of no source too (imports)
        db = self.db
        with db.atomic():
            db["crawl_sources"].insert_all(sources)
            db["crawl_errors"].insert_all(
                {"crawl_id": crawl_id, "source": s, "kind": k, "url": u, "count": n}
                for (s, k, u), n in failures.items()
            )
            self.record_not_articles(crawl_id)
            db["crawls"].update(
                crawl_id,
                {
                    **totals,
                    "finished": now(),
                    "status": "failed" if failed else "finished",
                    "seconds": round(seconds, 2),
                },
            )


def run_summary(db: sqlite_utils.Database, crawl_id: int) -> dict[str, Any]:
    """A run's `crawls` row, with its `crawl_sources` rows under "sources", its failed
    requests (`crawl_errors`) under "failures" and apart from them the pages judged not
    articles under "not_articles"."""
    summary = dict(db["crawls"].get(crawl_id))
    summary["sources"] = list(db["crawl_sources"].rows_where("crawl_id = ?", [crawl_id]))
    errors = list(
        db["crawl_errors"].rows_where(
            "crawl_id = ?",
            [crawl_id],
            select="source, kind, url, count, reason, words",
            order_by="rowid",
        )
    )
    summary["failures"] = [
        {k: e[k] for k in ("source", "kind", "url", "count")}
        for e in errors
        if e["kind"] != "not_article"
    ]
    summary["not_articles"] = [
        {k: e[k] for k in ("source", "url", "reason", "words")}
        for e in errors
        if e["kind"] == "not_article"
    ]
    return summary


class StorePipeline:
    """Buffers articles and hands them to `Archive.write` by the batch."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("NEWSARCHIVE_DB")
        self.batch_size = settings.getint("NEWSARCHIVE_BATCH_SIZE")
        self.flush_seconds = settings.getfloat("NEWSARCHIVE_FLUSH_SECONDS")
        self.keep_raw = settings.getbool("NEWSARCHIVE_KEEP_RAW", True)
        self.buffer: list[Article] = []
        self.last_flush = time.monotonic()
        self.failed: BaseException | None = None  # the write that failed, if one did
        self.lock = ExitStack()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        """Take the archive's writer lock before the crawl opens anything, and keep it
        until the engine has stopped (the spider flushes its frontier on closing)."""
        pipeline = cls(crawler)
        # Raises ArchiveBusy, and the crawl does not start.
        pipeline.lock.enter_context(writer_lock(pipeline.db_path))
        crawler.signals.connect(pipeline.lock.close, signal=signals.engine_stopped)
        return pipeline

    def open_spider(self) -> None:
        # Either the Scrapy setting or sources.toml's [crawl] keep_raw turns retention off.
        keep_raw = self.keep_raw and self.crawler.spider.config.crawl.keep_raw
        self.archive = Archive(open_archive(self.db_path), keep_raw=keep_raw)
        self.clock = time.monotonic()
        self.crawl_id = self.archive.start_run("crawl")
        self.crawler.spider.crawl_id = self.crawl_id

    def process_item(self, item: Article) -> Article:
        if self.failed is not None:
            # The crawl is stopping (scraper.crawl.runner.StopOnWriteError): its URLs stay
            # unsettled.
            raise DropItem(f"not stored, the archive failed a write: {item.url}", log_level="DEBUG")
        self.buffer.append(item)
        if (
            len(self.buffer) >= self.batch_size
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()
        return item

    def flush(self) -> None:
        if self.buffer:
            batch, self.buffer = self.buffer, []
            try:
                # The frontier rows of these articles must exist before the write settles them.
                self.crawler.spider.frontier.flush()
                self.archive.write(batch)
            except BaseException as exc:
                self.failed = exc  # written once: no later item retries the full disk
                raise
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        try:
            if self.failed is None:
                self.flush()
                self.archive.touch(self.crawler.spider.not_modified)
                self.archive.alias(self.crawler.spider.redirects)
            self.record_crawl()
        except (sqlite3.Error, OSError) as exc:
            if self.failed is None:
                raise
            # The disk is still full; the next run marks this crawl interrupted.
            logger.debug("the crawl's record could not be written either: %s", exc)
        finally:
            self.archive.db.close()

    def record_crawl(self) -> None:
        spider = self.crawler.spider
        self.archive.record_run(
            self.crawl_id,
            crawl_pages(spider, self.crawler.stats),
            spider.failures,
            failed=self.failed is not None,
            seconds=time.monotonic() - self.clock,
        )


def crawl_pages(spider: Any, stats: Any) -> dict[str, int]:
    """Pages fetched per source in this crawling process's run."""
    return {
        source.name: stats.get_value(f"newsarchive/pages/{source.name}", 0)
        for source in spider.config.sources
    }


def per_source(
    pages: dict[str, int], failures: Counter[tuple[str | None, str, str]]
) -> list[dict[str, Any]]:
    """Each source's pages fetched and errors, and "failed" when every request failed."""
    rows = []
    for name, fetched in pages.items():
        errors = sum(n for (s, _, _), n in failures.items() if s == name)
        status = "failed" if errors and not fetched else "ok"
        rows.append({"source": name, "status": status, "pages": fetched, "errors": errors})
    return rows


def source_rows(spider: Any, stats: Any) -> list[dict[str, Any]]:
    """What a crawling process knows of each source's run (a crawl node sends these to the
    writer)."""
    return per_source(crawl_pages(spider, stats), spider.failures)
