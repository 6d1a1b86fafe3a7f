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

A worker can die under a page (the kernel's OOM killer sends SIGKILL). It is replaced and
the page it held is extracted again; a page that kills a second worker is recorded in
crawl_errors as `extract_crashed` and skipped. Each death is a warning line, and the run's
summary counts the restarts (`extract_restarts`).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from scrapy.exceptions import DropItem

from scraper.config import Source
from scraper.extract.worker import extract_fields
from scraper.items import Article

logger = logging.getLogger(__name__)
# Tries per page: a page whose extraction kills this many workers is skipped.
ATTEMPTS = 2
RESTARTS_STAT = "newsarchive/extract_restarts"


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


class WorkerDied(Exception):
    """The extraction worker holding a page died (killed, out of memory, crashed)."""


class Workers:
    """Extraction worker processes, each behind an executor of its own, one page at a time.

    A worker that dies breaks its `ProcessPoolExecutor` for good, and the executor fails
    every page it was given without saying which one the worker held. With one executor
    and one page per worker, a death is pinned on the page it held, and only that worker
    is replaced.
    """

    def __init__(self, count: int, stats: Any) -> None:
        self.stats = stats  # the crawl's; counts the restarts
        # forkserver: workers start clean, not as forks of a process running a reactor.
        # Several workers are forked from a server that has loaded the extractor and its
        # language model (70 MB) once for all; a single worker loads them itself, so
        # that no idle server holds a second copy.
        self.context = multiprocessing.get_context("forkserver")
        self.context.set_forkserver_preload(["scraper.extract.preload"] if count > 1 else [])
        self.idle: asyncio.Queue[ProcessPoolExecutor] = asyncio.Queue()
        for _ in range(count):
            self.idle.put_nowait(self._start())

    def _start(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(1, mp_context=self.context)

    def _replace(self, executor: ProcessPoolExecutor) -> ProcessPoolExecutor:
        executor.shutdown(wait=False)
        self.stats.inc_value(RESTARTS_STAT)
        return self._start()

    async def extract(self, *task: Any) -> dict[str, Any]:
        """`extract_fields(*task)` in a worker; raises `WorkerDied` if the worker died."""
        executor = await self.idle.get()
        try:
            try:
                future: Future = executor.submit(extract_fields, *task)
            except BrokenProcessPool:  # it died while idle: the page never reached it
                logger.warning("an idle extraction worker died; replaced it")
                executor = self._replace(executor)
                future = executor.submit(extract_fields, *task)
            try:
                return await asyncio.wrap_future(future)
            except BrokenProcessPool:
                executor = self._replace(executor)
                raise WorkerDied from None
        finally:
            self.idle.put_nowait(executor)

    def shutdown(self) -> None:
        while not self.idle.empty():
            self.idle.get_nowait().shutdown(cancel_futures=True)


class ExtractPipeline:
    def __init__(self, crawler: Any, workers: int, discard: bool = False) -> None:
        self.crawler = crawler
        self.workers = workers
        self.discard = discard
        self.pool: Workers | None = None
        self.search_terms = False  # the workers compute the search terms too (cluster nodes)
        self.pack = True

    @classmethod
    def from_crawler(cls, crawler: Any) -> ExtractPipeline:
        settings = crawler.settings
        workers = settings.getint("NEWSARCHIVE_EXTRACT_WORKERS")
        pipeline = cls(crawler, workers, settings.getbool("NEWSARCHIVE_DISCARD_PAGES"))
        pipeline.search_terms = settings.getbool("NEWSARCHIVE_WORKER_TERMS")
        return pipeline

    def open_spider(self) -> None:
        if self.workers > 0 and not self.discard:
            self.pool = Workers(self.workers, self.crawler.stats)
        # The workers pack the raw page for the archive only if it keeps raw pages.
        keep_raw = self.crawler.settings.getbool("NEWSARCHIVE_KEEP_RAW", True)
        self.pack = keep_raw and self.crawler.spider.config.crawl.keep_raw

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.shutdown()

    async def process_item(self, item: Article) -> Article:
        if self.discard:
            raise DropItem(f"discarded (NEWSARCHIVE_DISCARD_PAGES): {item.url}", log_level="DEBUG")
        source = self.crawler.spider.config.source(item.source)
        if self.pool is None:
            return extract_page(item, source)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                task = (*fetched(item), source, self.pack, self.search_terms)
                found = await self.pool.extract(*task)
                return fill(item, found)
            except WorkerDied:
                again = "trying the page again" if attempt < ATTEMPTS else "skipping the page"
                logger.warning(
                    "extraction worker died (killed? out of memory?) on %s; replaced it, %s",
                    item.url,
                    again,
                )
        self.crawler.spider.failures[(item.source, "extract_crashed", item.url)] += 1
        raise DropItem(f"killed {ATTEMPTS} extraction workers: {item.url}", log_level="INFO")
