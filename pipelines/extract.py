"""The first pipeline stage: run the pure extractor on the fetched page.

Extraction is the CPU-heavy step of a crawl, so it runs in a pool of worker processes
(NEWSARCHIVE_EXTRACT_WORKERS; by default one fewer than the cores, since the crawling
process itself needs most of one) while the reactor keeps fetching; Scrapy's scraper slot
limit (SCRAPER_SLOT_MAX_ACTIVE_SIZE) stops new downloads while too many pages wait, so
memory stays bounded. With 0 workers it runs inline and the result is the same, byte for
byte.

A worker is sent only what extraction reads (the page bytes, URL, charset, fetch time and
the source's options) and sends back only the extracted fields: the page crosses the
process boundary once, not twice.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from scrapy.exceptions import DropItem

from scraper.config import Source
from scraper.extract.worker import extract_fields
from scraper.items import Article


def fetched(page: Article) -> tuple[bytes, str | None, str, str | None]:
    """What extraction reads of a fetched page: the only part sent to a worker."""
    content_type = next((v for k, v in page.headers.items() if k.lower() == "content-type"), "")
    return page.raw_html or b"", page.url, content_type, page.fetched_at


def fill(page: Article, found: dict[str, Any]) -> Article:
    for name, value in found.items():
        setattr(page, name, value)
    return page


def extract_page(page: Article, source: Source | None) -> Article:
    """Fill in the extracted fields of a fetched page, in this process."""
    return fill(page, extract_fields(*fetched(page), source))


class ExtractPipeline:
    def __init__(self, crawler: Any, workers: int, discard: bool = False) -> None:
        self.crawler = crawler
        self.workers = workers
        self.discard = discard
        self.pool: ProcessPoolExecutor | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.getint("NEWSARCHIVE_EXTRACT_WORKERS")
        return cls(crawler, workers, settings.getbool("NEWSARCHIVE_DISCARD_PAGES"))

    def open_spider(self) -> None:
        if self.workers > 0 and not self.discard:
            # forkserver: workers start clean, not as forks of a process running a reactor.
            # Several workers are forked from a server that has loaded the extractor and its
            # language model (70 MB) once for all; a single worker loads them itself, so
            # that no idle server holds a second copy.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["scraper.extract.preload"] if self.workers > 1 else [])
            self.pool = ProcessPoolExecutor(self.workers, mp_context=context)

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    async def process_item(self, item: Article) -> Article:
        if self.discard:
            raise DropItem(f"discarded (NEWSARCHIVE_DISCARD_PAGES): {item.url}", log_level="DEBUG")
        source = self.crawler.spider.config.source(item.source)
        if self.pool is None:
            return extract_page(item, source)
        found = await asyncio.wrap_future(self.pool.submit(extract_fields, *fetched(item), source))
        return fill(item, found)
