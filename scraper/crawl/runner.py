"""Run the news spider over a config, in this process, and report what the run did."""

from __future__ import annotations

import logging
import logging.handlers
import sys
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro
from twisted.python.failure import Failure

from pipelines.archive import WRITE_FAILED, ArchiveError, is_write_error, open_archive
from pipelines.extract import RESTARTS_STAT
from pipelines.store import run_summary
from scraper import settings as default_settings
from scraper.config import Config
from scraper.spiders.news import NewsSpider

LOG_FORMAT = "%(asctime)s [%(name)s] %(levelname)s: %(message)s"


class ArchiveWriteError(ArchiveError):
    """The archive refused a write (disk full, I/O error); the crawl stopped there."""


class StopOnWriteError:
    """Stops the crawl at the first failed archive write (disk full, I/O error) instead
    of fetching pages that cannot be stored; `error` keeps the cause for the message."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.error: BaseException | None = None
        crawler.signals.connect(self.item_error, signal=signals.item_error)

    def item_error(self, failure: Failure) -> None:
        error = failure.value
        if self.error is None and is_write_error(error):
            self.error = error
            engine = self.crawler.engine
            deferred_from_coro(engine.close_spider_async(reason=WRITE_FAILED))


def crawl_settings(config: Config, db_path: str | Path, **overrides: Any) -> Settings:
    """Scrapy settings for a run: the project defaults, the config's [crawl] table, overrides."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    settings.setdict(
        {
            "NEWSARCHIVE_DB": str(db_path),
            **config.scrapy_settings(),
            # Handlers are ours (see `configure_logging`), not Scrapy's.
            "LOG_INSTALL_ROOT_HANDLER": False,
            **overrides,
        },
        priority="cmdline",
    )
    return settings


def configure_logging(*, stderr_level: int, log_file: str | None, max_bytes: int) -> None:
    """Errors (or more) on stderr for cron mail; everything from INFO up in a rotated file."""
    root = logging.getLogger()
    root.handlers.clear()
    console = logging.StreamHandler(sys.stderr)
    console.setLevel(stderr_level)
    console.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(console)
    level = stderr_level
    if log_file:
        rotating = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=5, encoding="utf-8"
        )
        rotating.setLevel(logging.INFO)
        rotating.setFormatter(logging.Formatter(LOG_FORMAT))
        root.addHandler(rotating)
        level = min(level, logging.INFO)
    root.setLevel(level)


def run_crawl(
    config: Config,
    db_path: str | Path,
    *,
    max_pages: int | None = None,
    since: datetime | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """Crawl every source of `config` into the archive at `db_path`; return the crawls row
    with its per-source rows under "sources".

    Twisted's reactor runs once per process, so this is called at most once per process.
    Raises `ArchiveWriteError` when the archive could not take the crawl's writes; every
    batch written before stays, whole, and the next run fetches what is missing.
    """
    open_archive(db_path).close()  # make or check the archive before the reactor starts
    # A JOBDIR gives Scrapy's scheduler disk queues: a sitemap of 100,000 URLs waits in
    # files, not in memory. Nothing in it outlives the run (resuming is the frontier's job).
    with tempfile.TemporaryDirectory(prefix="newsarchive-queue-") as queue:
        process = CrawlerProcess(crawl_settings(config, db_path, JOBDIR=queue, **overrides))
        crawler = process.create_crawler(NewsSpider)
        guard = StopOnWriteError(crawler)
        process.crawl(crawler, config=config, max_pages=max_pages, since=since)
        process.start()
    crawl_id = getattr(crawler.spider, "crawl_id", None)
    db = open_archive(db_path, create=False)
    try:
        summary = run_summary(db, crawl_id) if crawl_id is not None else {}
        # Stopped by a failed write, or its record never written: not a finished run.
        if guard.error or summary.get("status") in (None, "running"):
            cause = f" ({guard.error})" if guard.error else " (see the log)"
            raise ArchiveWriteError(
                f"{db_path}: the crawl could not write to the archive{cause}; it stopped, "
                "and what it had written is intact: free some space and run again"
            )
        # Extraction workers replaced after dying (pipelines.extract): said, not stored.
        summary["extract_restarts"] = crawler.stats.get_value(RESTARTS_STAT, 0)
    finally:
        db.close()
    return summary
