"""Bare Scrapy, the crawl benchmark's peer: the same site fetched by Scrapy alone.

    python benchmarks/barespider.py ORIGIN --concurrency 64 [--autothrottle]

A `SitemapSpider` from robots.txt through the sitemap index to every article page, whose
callback does nothing: no link discovery, no frontier, no crawl record, Scrapy's default
in-memory queues. It is what a page costs Scrapy and Twisted themselves, with the same
politeness settings as the benchmark's `newsarchive crawl` (robots.txt obeyed, the same
concurrency, no delay, AutoThrottle as asked). Prints one JSON line, {"pages": N}, at the end.
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider


class BareSpider(SitemapSpider):
    name = "bare"

    def parse(self, response: Response) -> Any:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("origin", help="the site, e.g. http://127.0.0.1:8080")
    ap.add_argument("--concurrency", type=int, default=64)
    ap.add_argument("--autothrottle", action="store_true")
    args = ap.parse_args()
    process = CrawlerProcess(
        {
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": args.concurrency,
            "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": args.autothrottle,
            "COOKIES_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "WARNING",
        }
    )
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler, sitemap_urls=[f"{args.origin}/robots.txt"])
    process.start()
    print(json.dumps({"pages": crawler.stats.get_value("response_received_count", 0)}))


if __name__ == "__main__":
    main()
