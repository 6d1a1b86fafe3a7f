"""Give each article its identity, and decide which texts are copies of one another.

- the canonical URL it is archived under (`canonical_key`), and its `content_hash`;
- `near_duplicate` decides on the exact shingles of a candidate pair, which the MinHash LSH
  band keys (scraper.extract.fingerprint) found.

The store compares these against what the archive already holds.
"""

from __future__ import annotations

import re
from typing import Any

from scraper.config import Config
from scraper.extract.fingerprint import band_keys, content_hash, shingles
from scraper.items import Article
from scraper.urls import allowed, normalize_url

# The decision, on exact shingles: share of the shorter text's shingles found in the other.
CONTAINMENT = 0.5
# Templated reports (rates, weather) share their wording and differ in figures: a copy
# repeats the figures of its original. Checked when both texts give at least 3 figures.
MIN_FIGURES = 3
FIGURES_AGREE = 0.6

_NUMBER = re.compile(r"\d+(?:[.,]\d+)?")


def canonical_key(article: Article, allowed_domains: list[str], extra_tracking=()) -> str:
    """rel=canonical/og:url when it points into the source's own site, else the fetched URL."""
    declared = article.canonical_url
    if declared and allowed(declared, allowed_domains):
        return normalize_url(declared, extra_tracking)
    return normalize_url(article.url or "", extra_tracking)


def bands_of(article: Article) -> list[int]:
    """The article's band keys: as the extraction worker computed them, else computed now."""
    return band_keys(article.body) if article.band_keys is None else article.band_keys


def near_duplicate(body: str, other: str) -> bool:
    """Is one text a (possibly trimmed, retitled, lightly edited) copy of the other?"""
    mine, theirs = shingles(body), shingles(other)
    if not mine or not theirs:
        return False
    if len(mine & theirs) / min(len(mine), len(theirs)) < CONTAINMENT:
        return False
    figures, their_figures = set(_NUMBER.findall(body)), set(_NUMBER.findall(other))
    fewer = min(len(figures), len(their_figures))
    return fewer < MIN_FIGURES or len(figures & their_figures) / fewer >= FIGURES_AGREE


class DedupePipeline:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> DedupePipeline:
        return cls(crawler)

    def process_item(self, item: Article) -> Article:
        return identify(item, self.crawler.spider.config)


def identify(item: Article, config: Config) -> Article:
    """Set the URLs the store looks the article up by, and its content hash."""
    source = config.source(item.source or "")
    extra = config.crawl.tracking_params
    item.canonical_url = canonical_key(item, source.allowed_domains, extra)
    # As reached (tracking links included, for the record) and as normalised (for lookups).
    item.urls_seen = sorted(
        {*item.urls_seen, *(normalize_url(url, extra) for url in item.urls_seen)}
    )
    item.content_hash = content_hash(item.title, item.body)
    return item
