"""Downloader middleware that keeps every request inside its source.

Redirects come back through here, so a redirect to another domain is refused too.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.httpobj import urlparse_cached

from scraper.urls import allowed


def is_local_address(host: str) -> bool:
    """Loopback, private, link-local or otherwise non-public address literals and localhost."""
    host = host.strip("[]").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


class SourceGuardMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceGuardMiddleware:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        name = request.meta.get("source")
        if name is None:  # robots.txt, fetched by Scrapy for a request that passed here
            return
        source = self.crawler.spider.config.source(name)
        if not allowed(request.url, source.allowed_domains):
            self.crawler.stats.inc_value("newsarchive/offsite")
            raise IgnoreRequest(f"outside {name}'s allowed domains: {request.url}")
        host = urlparse_cached(request).hostname or ""
        if not source.local and is_local_address(host):
            raise IgnoreRequest(f"{name} is not local; refusing local address {host}")


class RedirectRecorder:
    """Remembers every redirect (from → to), so the URL an article was reached under is kept
    as an alias even when Scrapy drops the redirected request as already seen.

    Sits after RedirectMiddleware (600) on the way in, so it sees the 3xx response first.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedirectRecorder:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if 300 <= response.status < 400 and location and "source" in request.meta:
            target = response.urljoin(location.decode("latin-1"))
            self.crawler.spider.redirects[request.url] = self.crawler.spider.normalize(target)
        return response
