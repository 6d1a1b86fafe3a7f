"""A one-line progress display for crawls run on a terminal (never in cron mail)."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.source = ""
        self.started = time.monotonic()
        self.loop = task.LoopingCall(self.show)

    @classmethod
    def from_crawler(cls, crawler: Any) -> Progress:
        if not crawler.settings.getbool("NEWSARCHIVE_PROGRESS"):
            raise NotConfigured
        progress = cls(crawler)
        crawler.signals.connect(progress.opened, signal=signals.spider_opened)
        crawler.signals.connect(progress.closed, signal=signals.spider_closed)
        crawler.signals.connect(progress.response, signal=signals.response_received)
        return progress

    def opened(self) -> None:
        self.loop.start(1.0, now=False)

    def response(self, request: Any) -> None:
        self.source = request.meta.get("source", self.source)

    def show(self) -> None:
        stats = self.crawler.stats
        pages = stats.get_value("response_received_count", 0)
        # Pages judged not articles pass the pipelines too, to be kept as pages.
        articles = stats.get_value("item_scraped_count", 0) - stats.get_value(
            "newsarchive/not_article", 0
        )
        rate = pages / max(time.monotonic() - self.started, 1e-6)
        sys.stderr.write(
            f"\r{pages} pages, {articles} articles, {rate:.1f} pages/s, now {self.source}\033[K"
        )
        sys.stderr.flush()

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        sys.stderr.write("\r\033[K")
        sys.stderr.flush()
