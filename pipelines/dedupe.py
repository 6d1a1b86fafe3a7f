"""Give each article its identity: the canonical URL it is archived under and the hash
of its text, which the store compares against what the archive already holds."""

from __future__ import annotations

import hashlib
from typing import Any

from scraper.config import Config
from scraper.items import Article
from scraper.urls import allowed, normalize_url


def content_hash(title: str | None, body: str) -> str:
    """Hash of the text with whitespace and case folded, so re-wrapped HTML is no edit."""
    text = " ".join(f"{title or ''}\n{body}".split()).casefold()
    return hashlib.sha256(text.encode()).hexdigest()


def canonical_key(article: Article, allowed_domains: list[str]) -> str:
    """rel=canonical/og:url when it points into the source's own site, else the fetched URL."""
    declared = article.canonical_url
    if declared and allowed(declared, allowed_domains):
        return normalize_url(declared)
    return normalize_url(article.url or "")


class DedupePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        config: Config = self.crawler.spider.config
        source = config.source(item.source or "")
        item.canonical_url = canonical_key(item, source.allowed_domains)
        item.content_hash = content_hash(item.title, item.body)
        return item
