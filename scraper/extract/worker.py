"""What an extraction worker process runs: a fetched page's bytes in, extracted fields out.

This module is what a worker imports to unpickle its task, so it must not import Scrapy
(about 45 MB a process) or anything else the crawling process alone needs.
"""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from w3lib.encoding import http_content_type_encoding

from scraper.config import Source
from scraper.extract import extract
from scraper.extract.fingerprint import band_keys, body_hash
from scraper.extract.terms import terms
from scraper.items import Article, pack_page

# What the extractor fills in; the fetch fields set by the spider are kept as they are.
EXTRACTED = [f.name for f in fields(Article) if f.name not in Article.FETCH_FIELDS]


def extract_fields(
    raw: bytes,
    url: str | None,
    content_type: str,
    fetched_at: str | None,
    source: Source | None,
    pack: bool = False,
    search_terms: bool = False,
) -> dict[str, Any]:
    """The extracted fields of a fetched page, and what the store would otherwise derive
    from the page and text alone, on this core rather than the one writer's: with `pack`
    (a crawl) the page packed, with `search_terms` (a cluster node, where the writer is
    shared) the search index's terms."""
    options = (
        {
            "timezone": source.timezone,
            "body_selector": source.body_selector,
            "remove_selectors": source.remove_selectors,
        }
        if source
        else {}
    )
    result = extract(
        raw,
        url,
        encoding=http_content_type_encoding(content_type),
        fetched_at=datetime.fromisoformat(fetched_at) if fetched_at else None,
        **options,
    )
    # On this core, not the single writer's:
    result.band_keys = band_keys(result.body)
    result.body_hash = body_hash(result.body)
    result.body_words = result.word_count
    if pack and raw:
        result.packed = pack_page(raw)
    if search_terms:
        result.search_terms = tuple(terms(text) for text in result.indexed_texts())
    return {name: getattr(result, name) for name in EXTRACTED}
