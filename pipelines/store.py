"""Write articles into the archive, in batches, one transaction per batch.

The rules for an incoming article, in order:
- its canonical URL (or any URL it was reached under) is archived: same text, only
  `last_seen` moves; changed text, the row is updated;
- the same text is archived under another URL of the same source: the URL becomes an
  alias of that article (a duplicate);
- otherwise it is a new article.
A batch is all-or-nothing, so a killed crawl never leaves half an article behind.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import sqlite_utils

from pipelines.archive import open_archive
from scraper.extract.dates import to_utc
from scraper.items import Article


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def article_row(article: Article, seen: str) -> dict[str, Any]:
    return {
        "canonical_url": article.canonical_url,
        "url": article.url,
        "source": article.source,
        "title": article.title,
        "authors": json.dumps(article.authors, ensure_ascii=False),
        "organizations": json.dumps(article.organizations, ensure_ascii=False),
        "published": article.published,
        "published_utc": to_utc(article.published),
        "modified": article.modified,
        "modified_utc": to_utc(article.modified),
        "language": article.language,
        "section": article.section,
        "tags": json.dumps(article.tags, ensure_ascii=False),
        "image": article.image,
        "description": article.description,
        "site_name": article.site_name,
        "body": article.body,
        "body_html": article.body_html,
        "word_count": article.word_count,
        "content_hash": article.content_hash,
        "last_seen": seen,
        "etag": article.headers.get("Etag"),
        "http_last_modified": article.headers.get("Last-Modified"),
    }


class Archive:
    """The archive seen from a crawl: upserts articles and records the run."""

    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.outcomes: Counter[tuple[str, str]] = Counter()  # (source, new|updated|...) -> n

    def _find(self, article: Article) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT id, content_hash FROM articles WHERE canonical_url = ?",
            [article.canonical_url],
        ).fetchone()
        if row is None:
            urls = [article.canonical_url, *article.urls_seen]
            marks = ",".join("?" * len(urls))
            row = self.db.execute(
                "SELECT a.id, a.content_hash FROM article_urls u JOIN articles a "
                f"ON a.id = u.article_id WHERE u.url IN ({marks}) LIMIT 1",
                urls,
            ).fetchone()
        return {"id": row[0], "content_hash": row[1]} if row else None

    def _same_text(self, article: Article) -> int | None:
        row = self.db.execute(
            "SELECT id FROM articles WHERE source = ? AND content_hash = ? LIMIT 1",
            [article.source, article.content_hash],
        ).fetchone()
        return row[0] if row else None

    def _record_urls(self, article_id: int, article: Article, seen: str) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) VALUES (?, ?, ?)",
            [(url, article_id, seen) for url in {article.canonical_url, *article.urls_seen}],
        )

    def touch(self, urls: list[str]) -> None:
        """Archived articles that answered 304 Not Modified: seen again, unchanged."""
        seen = now()
        with self.db.conn:
            self.db.conn.executemany(
                "UPDATE articles SET last_seen = ? "
                "WHERE id = (SELECT article_id FROM article_urls WHERE url = ?)",
                [(seen, url) for url in urls],
            )

    def alias(self, redirects: dict[str, str]) -> None:
        """Keep each redirecting URL as an alias of the archived article it led to."""
        seen = now()
        with self.db.conn:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) "
                "SELECT ?, article_id, ? FROM article_urls WHERE url = ?",
                [(source, seen, target) for source, target in redirects.items()],
            )

    def write(self, articles: list[Article]) -> None:
        """Write one batch in one transaction."""
        seen = now()
        with self.db.conn:
            for article in articles:
                row = article_row(article, seen)
                existing = self._find(article)
                if existing is None and (alias_of := self._same_text(article)) is not None:
                    self._record_urls(alias_of, article, seen)
                    self.db.execute(
                        "UPDATE articles SET last_seen = ? WHERE id = ?", [seen, alias_of]
                    )
                    outcome = "duplicate"
                elif existing is None:
                    article_id = self.db["articles"].insert({**row, "first_seen": seen}).last_pk
                    self._record_urls(article_id, article, seen)
                    outcome = "new"
                elif existing["content_hash"] == article.content_hash:
                    self.db.execute(
                        "UPDATE articles SET last_seen = ? WHERE id = ?", [seen, existing["id"]]
                    )
                    self._record_urls(existing["id"], article, seen)
                    outcome = "unchanged"
                else:
                    self.db["articles"].update(existing["id"], row)
                    self._record_urls(existing["id"], article, seen)
                    outcome = "updated"
                self.outcomes[(article.source or "", outcome)] += 1
                # Settled: a resumed run need not fetch it again (see scraper.frontier).
                self.db.conn.executemany(
                    "DELETE FROM frontier WHERE url = ?", [(u,) for u in article.urls_seen]
                )


class StorePipeline:
    """Buffers articles and hands them to `Archive.write` by the batch."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db_path = settings.get("NEWSARCHIVE_DB")
        self.batch_size = settings.getint("NEWSARCHIVE_BATCH_SIZE")
        self.flush_seconds = settings.getfloat("NEWSARCHIVE_FLUSH_SECONDS")
        self.buffer: list[Article] = []
        self.last_flush = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Any) -> StorePipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = Archive(open_archive(self.db_path))
        self.started = now()
        self.clock = time.monotonic()
        with self.archive.db.conn:
            self.crawl_id = (
                self.archive.db["crawls"]
                .insert({"started": self.started, "status": "running"})
                .last_pk
            )
        self.crawler.spider.crawl_id = self.crawl_id

    def process_item(self, item: Article) -> Article:
        self.buffer.append(item)
        if (
            len(self.buffer) >= self.batch_size
            or time.monotonic() - self.last_flush >= self.flush_seconds
        ):
            self.flush()
        return item

    def flush(self) -> None:
        if self.buffer:
            # The frontier rows of these articles must exist before the write settles them.
            self.crawler.spider.frontier.flush()
            self.archive.write(self.buffer)
            self.buffer = []
        self.last_flush = time.monotonic()

    def close_spider(self) -> None:
        self.flush()
        self.archive.touch(self.crawler.spider.not_modified)
        self.archive.alias(self.crawler.spider.redirects)
        self.record_crawl()
        self.archive.db.close()

    def record_crawl(self) -> None:
        """The crawls row (totals) and one crawl_sources row per source."""
        spider = self.crawler.spider
        stats = self.crawler.stats
        outcomes = self.archive.outcomes
        failures = spider.failures
        per_source = []
        for source in spider.config.sources:
            name = source.name
            pages = stats.get_value(f"newsarchive/pages/{name}", 0)
            errors = sum(n for (s, _, _), n in failures.items() if s == name)
            per_source.append(
                {
                    "crawl_id": self.crawl_id,
                    "source": name,
                    "status": "failed" if errors and not pages else "ok",
                    "pages": pages,
                    "articles_new": outcomes[(name, "new")],
                    "articles_updated": outcomes[(name, "updated")],
                    "duplicates": outcomes[(name, "duplicate")],
                    "errors": errors,
                }
            )
        failed = any(row["status"] == "failed" for row in per_source)
        totals = {
            key: sum(row[key] for row in per_source)
            for key in ("pages", "articles_new", "articles_updated", "duplicates", "errors")
        }
        db = self.archive.db
        with db.conn:
            db["crawl_sources"].insert_all(per_source)
            db["crawl_errors"].insert_all(
                {"crawl_id": self.crawl_id, "source": s, "kind": k, "url": u, "count": n}
                for (s, k, u), n in failures.items()
            )
            db["crawls"].update(
                self.crawl_id,
                {
                    **totals,
                    "finished": now(),
                    "status": "failed" if failed else "finished",
                    "seconds": round(time.monotonic() - self.clock, 2),
                },
            )
