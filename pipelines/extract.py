"""The first pipeline stage: run the pure extractor on the fetched page.

Extraction is the CPU-heavy step of a crawl, so it runs in a pool of worker processes
(one per core by default) while the reactor keeps fetching; Scrapy's scraper slot limit
(SCRAPER_SLOT_MAX_ACTIVE_SIZE) stops new downloads while too many pages wait, so memory
stays bounded. With one worker it runs inline and the result is the same, byte for byte.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from datetime import datetime
from typing import Any

from w3lib.encoding import http_content_type_encoding

from scraper.config import Source
from scraper.extract import extract
from scraper.items import Article

# What the extractor fills in; the fetch fields set by the spider are kept as they are.
EXTRACTED = [f.name for f in fields(Article) if f.name not in Article.FETCH_FIELDS]


def extract_page(page: Article, source: Source | None) -> Article:
    """Extract the article of a fetched page (runs in a worker process)."""
    content_type = next((v for k, v in page.headers.items() if k.lower() == "content-type"), "")
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
        page.raw_html or b"",
        page.url,
        encoding=http_content_type_encoding(content_type),
        fetched_at=datetime.fromisoformat(page.fetched_at) if page.fetched_at else None,
        **options,
    )
    for name in EXTRACTED:
        setattr(page, name, getattr(result, name))
    return page


class ExtractPipeline:
    def __init__(self, crawler: Any, workers: int) -> None:
        self.crawler = crawler
        self.workers = workers
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        workers = crawler.settings.getint("NEWSARCHIVE_EXTRACT_WORKERS") or os.cpu_count() or 1
        return cls(crawler, workers)

    def open_spider(self) -> None:
        if self.workers > 1:
            # forkserver: workers start clean, not as forks of a process running a reactor.
            context = multiprocessing.get_context("forkserver")
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    async def process_item(self, item: Article) -> Article:
        source = self.crawler.spider.config.source(item.source)
        if self.pool is None:
            return extract_page(item, source)
        raw = item.raw_html
        done = await asyncio.wrap_future(self.pool.submit(extract_page, item, source))
        done.raw_html = raw  # the worker's copy came back; keep the original bytes object
        return done
