"""`newsarchive reprocess`: re-run the current extractor over the stored raw pages.

The pages did not change, so whatever changes in the text is the extractor's doing: it is
written in place, never as a version. Older versions are re-extracted from their own pages.
Pages a crawl judged not articles (`not_articles`) become articles when the extractor now
finds one in them, as if the crawl had.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from typing import Any

import sqlite_utils

from pipelines.dedupe import bands_of, canonical_key
from pipelines.extract import extract_page
from pipelines.store import Archive, set_bands, text_row
from pipelines.validate import rejection
from scraper.config import Source
from scraper.extract.fingerprint import content_hash
from scraper.items import Article


def stored_page(page: dict[str, Any]) -> Article:
    """A page from the `pages` table as the spider would have handed it over."""
    return Article(
        url=page["url"],
        headers=json.loads(page["headers"] or "{}"),
        raw_html=zlib.decompress(page["raw"]),
        fetched_at=page["fetched_at"],
    )


# The stored page each text was extracted from: the current texts, then older versions.
# Keyset pages of REPROCESS_BATCH rows, so a million articles never sit in memory.
_PAGE_COLUMNS = "a.source, p.url, p.headers, p.fetched_at, p.raw"
_CURRENT_PAGES = f"""SELECT a.id, 0, a.content_hash, a.body, {_PAGE_COLUMNS}
    FROM articles a JOIN pages p ON p.article_id = a.id AND p.raw_hash = a.raw_hash
    WHERE (:source IS NULL OR a.source = :source) AND (a.id, 0) > (:after, :version)
    ORDER BY a.id LIMIT :limit"""
_VERSION_PAGES = f"""SELECT v.article_id, v.version, v.content_hash, v.body, {_PAGE_COLUMNS}
    FROM article_versions v JOIN articles a ON a.id = v.article_id
    JOIN pages p ON p.article_id = v.article_id AND p.raw_hash = v.raw_hash
    WHERE (:source IS NULL OR a.source = :source) AND (v.article_id, v.version) > (:after, :version)
    ORDER BY v.article_id, v.version LIMIT :limit"""
_PAGE_FIELDS = ["article_id", "version", "content_hash", "body", "source", "url", "headers",
                "fetched_at", "raw"]  # fmt: skip
_NOT_ARTICLES = """SELECT url, source, status, headers, fetched_at, raw FROM not_articles
    WHERE (:source IS NULL OR source = :source) AND url > :after ORDER BY url LIMIT :limit"""
REPROCESS_BATCH = 100


class Reprocessor:
    """Re-extracts every stored page of the archive (or of one source), in batches."""

    def __init__(self, db: sqlite_utils.Database, sources: dict[str, Source], min_words: int):
        self.db = db
        self.sources = sources
        self.min_words = min_words
        self.outcomes: Counter[str] = Counter()

    def _apply(self, page: dict[str, Any]) -> str:
        article = extract_page(stored_page(page), self.sources.get(page["source"]))
        article.content_hash = content_hash(article.title, article.body)
        if article.content_hash == page["content_hash"]:
            return "unchanged"
        if rejection(article, self.min_words):
            return "kept"  # the extractor finds no article in the page: keep what we have
        if page["version"]:
            self.db.execute(
                "UPDATE article_versions SET title = ?, body = ?, content_hash = ? "
                "WHERE article_id = ? AND version = ?",
                [article.title, article.body, article.content_hash]
                + [page["article_id"], page["version"]],
            )
            return "version_changed"
        self.db["articles"].update(page["article_id"], text_row(article))
        set_bands(self.db, page["article_id"], bands_of(article), old_body=page["body"])
        return "changed"

    def _recover(self, archive: Archive, row: tuple[Any, ...]) -> str:
        """Archive a page once judged not an article, if the extractor now finds one."""
        url, source_name, status, headers, fetched_at, raw = row
        source = self.sources.get(source_name)
        page = {"url": url, "headers": headers, "fetched_at": fetched_at, "raw": raw}
        article = extract_page(stored_page(page), source)
        if rejection(article, self.min_words):
            return "still_not_article"
        article.source, article.status, article.urls_seen = source_name, status, [url]
        article.canonical_url = canonical_key(article, source.allowed_domains if source else [])
        article.content_hash = content_hash(article.title, article.body)
        with self.db.atomic():
            archive.write([article])
            self.db.execute("DELETE FROM not_articles WHERE url = ?", [url])
        return "recovered"

    def run(self, source: str | None = None) -> Counter[str]:
        for query in (_CURRENT_PAGES, _VERSION_PAGES):
            after = (0, 0)
            while True:
                params = {"source": source, "after": after[0], "version": after[1]}
                rows = self.db.execute(query, {**params, "limit": REPROCESS_BATCH}).fetchall()
                if not rows:
                    break
                with self.db.atomic():
                    for row in rows:
                        page = dict(zip(_PAGE_FIELDS, row, strict=True))
                        self.outcomes[self._apply(page)] += 1
                after = rows[-1][:2]
        archive, after = Archive(self.db), ""
        while rows := self.db.execute(
            _NOT_ARTICLES, {"source": source, "after": after, "limit": REPROCESS_BATCH}
        ).fetchall():
            for row in rows:
                self.outcomes[self._recover(archive, row)] += 1
            after = rows[-1][0]
        self.outcomes["no_page"] = self.db.execute(
            "SELECT count(*) FROM articles a WHERE (:source IS NULL OR a.source = :source) "
            "AND NOT EXISTS (SELECT 1 FROM pages p "
            "WHERE p.article_id = a.id AND p.raw_hash = a.raw_hash)",
            {"source": source},
        ).fetchone()[0]
        return self.outcomes
