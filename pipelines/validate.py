"""Tell what is not an article before it costs an article's write: failed extractions,
empty pages, listing pages that slipped through the URL patterns (marked `not_article`, kept
by the store as pages, not articles); and drop, in a back-fill (`--since`), articles
published before the window that links from newer ones led to."""

from __future__ import annotations

from typing import Any

from scrapy.exceptions import DropItem

from scraper.extract.dates import to_utc
from scraper.items import Article


def rejection(article: Article, min_words: int) -> str | None:
    """Why `article` must not be archived, or None when it may."""
    if article.reason:
        return article.reason
    if not article.title:
        return "no title"
    if article.word_count < min_words:
        return f"body has {article.word_count} words (< {min_words})"
    return None


class ValidatePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.min_words = crawler.settings.getint("NEWSARCHIVE_MIN_WORDS")
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> ValidatePipeline:
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        if reason := rejection(item, self.min_words):
            # Not dropped: the store records it in crawl_errors and keeps its page for
            # `reprocess`, so that no fetched page is lost without a trace.
            self.stats.inc_value(f"newsarchive/not_article/{item.source}")
            self.stats.inc_value("newsarchive/not_article")
            self.crawler.spider.logger.info("not an article (%s): %s", reason, item.url)
            item.not_article = reason
            return item
        since = self.crawler.spider.since
        published = to_utc(item.published)
        if since and published and published < since.isoformat(timespec="seconds"):
            self.stats.inc_value("newsarchive/before_since")
            raise DropItem(f"published before --since: {item.url}", log_level="DEBUG")
        return item
