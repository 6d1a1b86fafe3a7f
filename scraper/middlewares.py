"""Downloader middlewares: keep every request inside its source, and fail politely.

- `SourceGuardMiddleware` refuses requests outside a source's allowed domains (redirects
  come back through here, so a redirect to another domain is refused too) and, for sources
  not configured as local, local addresses: written in the URL, or what its name resolves
  to (`scraper.crawl.resolver`).
- `RobotsMiddleware` treats a robots.txt that cannot be read (5xx, timeout, reset) as
  "disallow everything", as RFC 9309 asks, instead of Scrapy's "allow everything", and says
  so in one log line.
- `RetryAfterMiddleware` honours a short `Retry-After` before retrying and gives up at
  once when the server asks for longer than a run should wait.
- `RedirectRecorder` remembers every redirect, so the URL an article was reached under
  is kept as an alias, and refuses a redirect to what is no URL.
- `DecompressionMiddleware` refuses a body that does not unpack as its Content-Encoding
  says.

Refusals raise `Refused`, whose `kind` the spider records in `crawl_errors`.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from scrapy import Request
from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.robotstxt import RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.error import DNSLookupError

from scraper.crawl.resolver import LocalAddressRefused, is_local_address
from scraper.urls import allowed

logger = logging.getLogger(__name__)


class Refused(IgnoreRequest):
    """A request newsarchive will not make; `kind` names the reason in crawl_errors."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class SourceGuardMiddleware:
    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> SourceGuardMiddleware:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        name = request.meta.get("source")
        if name is None:  # robots.txt, fetched by Scrapy for a request that passed here
            return
        source = self.crawler.spider.config.source(name)
        if not allowed(request.url, source.allowed_domains):
            self.crawler.stats.inc_value("newsarchive/offsite")
            kind = "redirect_offsite" if request.meta.get("redirect_urls") else "offsite"
            raise Refused(kind, f"outside {name}'s allowed domains: {request.url}")
        if source.local:
            return
        host = urlparse_cached(request).hostname or ""
        if is_local_address(host):
            raise Refused("local_address", f"{name} is not local; refusing address {host}")
        # The resolver refuses a name that leads to a local address whenever it is looked
        # up; looking it up here, before the download (the answer is cached for it), is what
        # lets the refusal be recorded as such rather than as a DNS error.
        from twisted.internet import reactor  # the one Scrapy installed

        try:
            await maybe_deferred_to_future(reactor.resolve(host))
        except LocalAddressRefused as exc:
            raise Refused("local_address", f"{name} is not local; refusing {exc}") from None
        except DNSLookupError:
            pass  # the download fails on it too, recorded as dns_error


class RobotsUnreadable(IgnoreRequest):
    """The download of a robots.txt failed (timeout, reset, refused connection)."""


def is_robots_request(request: Request) -> bool:
    """Is this the robots.txt request Scrapy's middleware makes (not one of the spider's)?"""
    return "source" not in request.meta and bool(request.meta.get("dont_obey_robotstxt"))


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, except that an unreadable robots.txt forbids, and
    one line says so instead of Scrapy's retry message and traceback."""

    def __init__(self, crawler: Any) -> None:
        super().__init__(crawler)
        self.unavailable: set[str] = set()  # netlocs whose robots.txt could not be read

    async def process_request(self, request: Request) -> None:
        if is_robots_request(request):  # the retries' give-up line would say it twice
            request.meta.setdefault("give_up_log_level", "INFO")
        await super().process_request(request)

    def process_exception(self, request: Request, exception: Exception) -> None:
        # Scrapy logs any other exception of the robots.txt download with its traceback.
        if is_robots_request(request) and not isinstance(exception, IgnoreRequest):
            raise RobotsUnreadable(str(exception)) from exception

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._unreadable(netloc, f"HTTP {response.status}")
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, RobotsUnreadable) or not isinstance(exc, IgnoreRequest):
            self._unreadable(netloc, str(exc))
        super()._robots_error(exc, netloc)

    def _unreadable(self, netloc: str, reason: str) -> None:
        self.unavailable.add(netloc)
        logger.error(
            "robots.txt of %s unreadable (%s): disallowing the whole site, as RFC 9309 asks",
            netloc,
            reason,
        )

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        netloc = urlparse_cached(request).netloc
        if netloc in self.unavailable:
            self.crawler.stats.inc_value("newsarchive/robots_unavailable")
            raise Refused("robots_unavailable", f"robots.txt of {netloc} could not be read")
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            raise Refused("robots_forbidden", f"forbidden by robots.txt: {request.url}") from None


def retry_after_seconds(value: bytes | None, now: datetime) -> float | None:
    """The delay a Retry-After header asks for (seconds or an HTTP date), or None."""
    if not value:
        return None
    text = value.decode("latin-1").strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Retries 429/5xx like Scrapy's, but waits what `Retry-After` asks first, up to
    NEWSARCHIVE_RETRY_AFTER_MAX seconds; a longer wait means "not this run"."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("NEWSARCHIVE_RETRY_AFTER_MAX")

    async def process_response(self, request: Request, response: Response) -> Any:
        if response.status in self.retry_http_codes and not request.meta.get("dont_retry"):
            delay = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
            if delay is not None and delay > self.max_wait:
                self.crawler.stats.inc_value("newsarchive/retry_after_too_long")
                return response  # an HTTP error for the spider, recorded as such
            if delay:
                await asyncio.sleep(delay)
        return super().process_response(request, response)


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
            try:
                target = self.crawler.spider.normalize(response.urljoin(location.decode("latin-1")))
            except ValueError:  # "http://[oops/", a port past 65535: nothing to follow
                raise Refused("redirect_refused", f"redirect to no URL: {location!r}") from None
            self.crawler.spider.redirects[request.url] = target
        return response


class DecompressionMiddleware(HttpCompressionMiddleware):
    """Scrapy's, except that a body that does not unpack as its Content-Encoding says is
    refused as `bad_compression`, instead of failing with whatever its codec raised
    (zlib.error, EOFError, ...), which no crawl_errors kind would name."""

    def process_response(self, request: Request, response: Response) -> Any:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:  # too large once unpacked: a gzip bomb, recorded as too_large
            raise
        except Exception as exc:  # each codec has errors of its own
            message = f"{response.url} does not unpack as its Content-Encoding says ({exc})"
            raise Refused("bad_compression", message) from exc
