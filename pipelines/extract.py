"""The first pipeline stage: run the pure extractor on the fetched page.

Extraction is the CPU-heavy step of a crawl, so it runs in a pool of worker processes
(one per core by default) while the reactor keeps fetching; Scrapy's scraper slot limit
(SCRAPER_SLOT_MAX_ACTIVE_SIZE) stops new downloads while too many pages wait, so memory
stays bounded. With one worker it runs inline and the result is the same, byte for byte.

A worker is sent only what extraction reads (the page bytes, URL, charset, fetch time and
the source's options) and sends back only the extracted fields: the page crosses the
process boundary once, not twice.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import fields
from datetime import datetime
from typing import Any

from scrapy.exceptions import DropItem

from scraper.config import Source
from scraper.extract import extract
from scraper.items import Article

# What the extractor fills in; the fetch fields set by the spider are kept as they are.
EXTRACTED = [f.name for f in fields(Article) if f.name not in Article.FETCH_FIELDS]


def extract_fields(
    raw: bytes, url: str | None, content_type: str, fetched_at: str | None, source: Source
) -> dict[str, Any]:
    """The extracted fields of a fetched page (runs in a worker process)."""
    charset = content_type.partition("charset=")[2].split(";")[0].strip() or None
    result = extract(
        raw,
        url,
        encoding=charset,
        fetched_at=datetime.fromisoformat(fetched_at) if fetched_at else None,
        timezone=source.timezone,
        body_selector=source.body_selector,
        remove_selectors=source.remove_selectors,
    )
    return {name: getattr(result, name) for name in EXTRACTED}


class ExtractPipeline:
    def __init__(self, crawler: Any, workers: int, discard: bool = False) -> None:
        self.crawler = crawler
        self.workers = workers
        self.discard = discard
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.getint("NEWSARCHIVE_EXTRACT_WORKERS") or os.cpu_count() or 1
        return cls(crawler, workers, settings.getbool("NEWSARCHIVE_DISCARD_PAGES"))

    def open_spider(self) -> None:
        if self.workers > 1 and not self.discard:
            # forkserver: workers start clean, not as forks of a process running a reactor,
            # and are forked from a server that has loaded the extractor once for all.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["scraper.extract.preload"])
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    async def process_item(self, item: Article) -> Article:
        if self.discard:
            raise DropItem(f"discarded (NEWSARCHIVE_DISCARD_PAGES): {item.url}", log_level="DEBUG")
        page = item.raw_html or b"", item.url, item.headers.get("Content-Type", ""), item.fetched_at
        source = self.crawler.spider.config.source(item.source)
        if self.pool is None:
            found = extract_fields(*page, source)
        else:
            found = await asyncio.wrap_future(self.pool.submit(extract_fields, *page, source))
        for name, value in found.items():
            setattr(item, name, value)
        return item
