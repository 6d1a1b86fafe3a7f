"""Run the news spider over a config, in this process, and report what the run did."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from pipelines.archive import open_archive
from scraper import settings as default_settings
from scraper.config import Config
from scraper.spiders.news import NewsSpider


def crawl_settings(config: Config, db_path: str | Path, **overrides: Any) -> Settings:
    """Scrapy settings for a run: the project defaults, the config's [crawl] table, overrides."""
    settings = Settings()
    settings.setmodule(default_settings, priority="project")
    crawl = config.crawl
    settings.setdict(
        {
            "NEWSARCHIVE_DB": str(db_path),
            "USER_AGENT": crawl.user_agent,
            "CONCURRENT_REQUESTS": crawl.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.per_domain_concurrency,
            "DOWNLOAD_DELAY": crawl.download_delay,
            "AUTOTHROTTLE_START_DELAY": crawl.download_delay,
            "DOWNLOAD_TIMEOUT": crawl.download_timeout,
            **overrides,
        },
        priority="cmdline",
    )
    return settings


def run_crawl(config: Config, db_path: str | Path, **overrides: Any) -> dict[str, Any]:
    """Crawl every source of `config` into the archive at `db_path`; return the crawls row.

    Twisted's reactor runs once per process, so this is called at most once per process.
    """
    open_archive(db_path).close()  # refuse a bad archive before the reactor starts
    process = CrawlerProcess(
        crawl_settings(config, db_path, **overrides), install_root_handler=True
    )
    crawler = process.create_crawler(NewsSpider)
    process.crawl(crawler, config=config)
    process.start()
    crawl_id = getattr(crawler.spider, "crawl_id", None)
    db = open_archive(db_path, create=False)
    try:
        if crawl_id is None:
            raise RuntimeError("the crawl stopped before it could open the archive")
        summary = dict(db["crawls"].get(crawl_id))
        summary["sources"] = list(db["crawl_sources"].rows_where("crawl_id = ?", [crawl_id]))
    finally:
        db.close()
    return summary
