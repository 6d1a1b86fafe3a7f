"""The news spider: discovers articles through feeds, sitemaps and section pages.

One spider crawls every source in the config; each request carries its source's name,
so per-source rules (allowed domains, article patterns, selectors, depth) apply to it.
Discovery pages are fetched on every run; an article page only when the archive does not
have it yet, or may hold an outdated copy (see `scraper.crawl.frontier.needs_fetch`).
"""

from __future__ import annotations

import io
import re
import struct
import zlib
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import scrapy
from scrapy import signals
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.gz import gunzip
from scrapy.utils.misc import load_object
from twisted.internet.error import ConnectionDone, ConnectionLost
from twisted.python.failure import Failure

from pipelines.archive import WRITE_FAILED
from scraper.config import Config, Source, load_config
from scraper.crawl.frontier import Known, needs_fetch, parse_date
from scraper.crawl.links import LinkFinder
from scraper.extract.document import looks_binary
from scraper.items import Article
from scraper.urls import allowed, normalize_url

_XML_PARSER = lxml.etree.XMLParser(recover=True, resolve_entities=False, no_network=True)
_STRICT_XML_PARSER = lxml.etree.XMLParser(resolve_entities=False, no_network=True)


def sitemap_entries(body: bytes) -> Iterator[tuple[bool, str, datetime | None]]:
    """(is a sitemap index entry, loc, lastmod or news publication date) per entry."""
    entries = lxml.etree.iterparse(
        io.BytesIO(body),
        events=("end",),
        tag=("{*}url", "{*}sitemap"),
        recover=True,
        resolve_entities=False,
        no_network=True,
    )
    try:
        for _, element in entries:
            loc = element.findtext("{*}loc")
            date = element.findtext("{*}lastmod") or element.findtext(".//{*}publication_date")
            if loc and loc.strip():
                is_index = lxml.etree.QName(element).localname == "sitemap"
                yield is_index, loc.strip(), parse_date(date)
            element.clear()  # keep memory flat on sitemaps of 50,000 URLs
    except lxml.etree.XMLSyntaxError:
        return


# Failure kinds for crawl_errors, by exception class; the first match wins.
_FAILURE_KINDS: list[tuple[type[BaseException] | tuple[type[BaseException], ...], str]] = [
    (DownloadTimeoutError, "timeout"),
    ((DownloadFailedError, ConnectionLost, ConnectionDone), "connection_lost"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (CannotResolveHostError, "dns_error"),
    # The download handler cancels a body larger than DOWNLOAD_MAXSIZE.
    (DownloadCancelledError, "too_large"),
]


def failure_kind(failure: Failure, max_redirects: int) -> str:
    """The crawl_errors kind of a request that produced no usable response."""
    error = failure.value
    if isinstance(error, HttpError):
        status = error.response.status
        # A 3xx that reaches here was not followed: Scrapy follows only http(s) targets.
        return "redirect_refused" if 300 <= status < 400 else f"http_{status}"
    if kind := getattr(error, "kind", None):  # scraper.middlewares.Refused
        return kind
    if isinstance(error, ResponseDataLossError):
        # The body stopped short of its Content-Length: a reset (RST) or a clean close.
        reasons = getattr(error.__cause__, "reasons", [])
        return "connection_lost" if any(r.check(ConnectionLost) for r in reasons) else "truncated"
    for types, kind in _FAILURE_KINDS:
        if isinstance(error, types):
            return kind
    if isinstance(error, IgnoreRequest):
        if "DOWNLOAD_MAXSIZE" in str(error):  # HttpCompressionMiddleware: a gzip bomb
            return "too_large"
        if failure.request.meta.get("redirect_times", 0) >= max_redirects:
            return "too_many_redirects"
        return "refused"
    return type(error).__name__


class NewsSpider(scrapy.Spider):
    name = "news"

    def __init__(
        self,
        config: Config | None = None,
        max_pages: int | None = None,
        since: datetime | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.max_pages = max_pages  # article pages per source per run
        self.since = since  # skip sitemap/feed entries older than this
        self.links = LinkFinder()
        # A page links the same navigation as the one before: what a link's URL is, and
        # whether its source admits it, is worked out once per (source, link) at most.
        self._candidate = lru_cache(LinkFinder.REMEMBERED)(self._candidate_uncached)
        self._patterns: dict[str, tuple[list[re.Pattern], list[re.Pattern]]] = {}
        # (source, "article" | "page") -> URLs requested this run, for the per-source caps.
        self._requested: defaultdict[tuple[str, str], set[str]] = defaultdict(set)
        # (source, kind, url) -> count; the store pipeline writes it to crawl_errors.
        self.failures: Counter[tuple[str, str, str]] = Counter()
        # Archived articles that answered 304: the store moves their last_seen.
        self.not_modified: list[str] = []
        # Redirects seen (from → normalised target); the store keeps them as aliases.
        self.redirects: dict[str, str] = {}

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.config is None:  # `scrapy crawl news`: read the same file as the CLI
            spider.config = load_config(crawler.settings.get("NEWSARCHIVE_CONFIG"))
        crawler.signals.connect(spider.dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider.request_dropped, signal=signals.request_dropped)
        spider.caps = {
            "article": spider.max_pages or crawler.settings.getint("NEWSARCHIVE_MAX_ARTICLES"),
            "page": crawler.settings.getint("NEWSARCHIVE_MAX_LISTING_PAGES"),
        }
        for source in spider.config.sources:
            spider._patterns[source.name] = (
                [re.compile(p) for p in source.article_allow],
                [re.compile(p) for p in source.article_deny],
            )
        return spider

    # -- requests ---------------------------------------------------------------------

    def _request(
        self, url: str, source: Source, kind: str, depth: int = 0, found_as: str | None = None
    ) -> scrapy.Request:
        callback = {"feed": self.parse_feed, "sitemap": self.parse_sitemap}.get(kind, self.parse)
        return scrapy.Request(
            self.normalize(url),
            callback=callback,
            errback=self.failed,
            meta={"source": source.name, "kind": kind, "depth": depth, "found_as": found_as or url},
            priority=10 if kind == "article" else 0,
        )

    async def start(self) -> Any:
        assert self.config is not None
        # The archive's frontier, or a crawl node's twin of it in Redis.
        self.frontier = load_object(self.settings.get("NEWSARCHIVE_FRONTIER")).from_crawler(
            self.crawler
        )
        # First what an interrupted run had discovered and not yet settled.
        names = [s.name for s in self.config.sources]
        for url, name, depth, found_as, lastmod in self.frontier.pending(names):
            source = self.config.source(name)
            request = self._article_request(
                url, source, depth, parse_date(lastmod), found_as, self.frontier.lookup(url)
            )
            if request is None:
                self.frontier.settle(url)
            else:
                yield request
        for source in self.config.sources:
            for url in source.feeds:
                yield self._request(url, source, "feed")
            for url in source.sitemaps:
                yield self._request(url, source, "sitemap")
            for url in source.start_urls:
                yield self._request(url, source, "page")

    def closed(self, reason: str) -> None:
        if hasattr(self, "frontier"):
            # After a failed archive write the disk is full; unflushed URLs are found again.
            self.frontier.close(flush=reason != WRITE_FAILED)

    def dropped(self, item: Article) -> None:
        """A page the pipelines rejected is settled: nothing to resume there."""
        for url in item.urls_seen:
            self.frontier.settle(url)

    def _follow(
        self, url: str, source: Source, depth: int, lastmod: datetime | None = None
    ) -> scrapy.Request | None:
        """A request for a discovered link, or None when the source's rules exclude it."""
        if depth > source.max_depth + 1:  # too deep even for an article
            return None
        link, candidate = url, self._candidate(source.name, url)
        if candidate is None:
            return None
        url, matches = candidate
        # Most links of a page lead to articles this run has requested already: no need
        # to ask the archive about those again.
        if url in self._requested[(source.name, "article")]:
            return None
        known = self.frontier.lookup(url)  # also catches redirecting URLs of an article
        is_article = known is not None or matches
        # Articles linked from the deepest listing pages are still worth a fetch.
        if depth > source.max_depth + is_article:
            return None
        if is_article:
            return self._article_request(url, source, depth, lastmod, link, known)
        if not self._admit(url, source, "page"):
            return None
        return self._request(url, source, "page", depth, link)

    def _candidate_uncached(self, name: str, link: str) -> tuple[str, bool] | None:
        """The archive key of a link inside source `name`'s domains, and whether its
        article patterns admit it; None for a link outside them or no URL at all."""
        assert self.config is not None
        source = self.config.source(name)
        try:
            url = self.normalize(link)  # tracking parameters must not hide an article
        except ValueError:  # "http://[broken/": not a URL anyone can fetch
            return None
        if not allowed(url, source.allowed_domains):
            return None
        return url, self.is_article_url(url, source)

    def _admit(self, url: str, source: Source, kind: str) -> bool:
        """Count `url` as a `kind` request of `source` this run; False when it was requested
        already (Scrapy would drop the duplicate; so do we, first) or the cap is spent."""
        requested = self._requested[(source.name, kind)]
        if url in requested:
            return False
        if len(requested) >= self.caps[kind]:
            stat = f"newsarchive/capped/{source.name}/{kind}"
            self.crawler.stats.inc_value(stat)
            if self.crawler.stats.get_value(stat) == 1:  # say it once per source
                self.logger.warning(
                    "%s: %d %s requests this run, the cap; the rest waits for the next run",
                    source.name,
                    self.caps[kind],
                    kind,
                )
            return False
        requested.add(url)
        return True

    def _article_request(
        self,
        url: str,
        source: Source,
        depth: int,
        lastmod: datetime | None,
        link: str,
        known: Known | None,
    ) -> scrapy.Request | None:
        now = datetime.now(UTC)
        if not needs_fetch(known, recheck_hours=source.recheck_hours, lastmod=lastmod, now=now):
            self.crawler.stats.inc_value("newsarchive/skipped_archived")
            return None
        if not self._admit(url, source, "article"):
            return None
        request = self._request(url, source, "article", depth, link)
        self.frontier.add(url, source.name, depth, link, lastmod.isoformat() if lastmod else None)
        if known is not None:  # a re-check: let the server answer 304 Not Modified
            if known.etag:
                request.headers["If-None-Match"] = known.etag
            if known.last_modified:
                request.headers["If-Modified-Since"] = known.last_modified
            request.meta["handle_httpstatus_list"] = [304]
        return request

    def normalize(self, url: str) -> str:
        """The URL without tracking parameters (built-in and the config's own)."""
        assert self.config is not None
        return normalize_url(url, self.config.crawl.tracking_params)

    def is_article_url(self, url: str, source: Source) -> bool:
        """Do the source's article patterns (regexes on path and query) admit `url`?"""
        parts = urlsplit(url)
        target = f"{parts.path}?{parts.query}" if parts.query else parts.path
        allow, deny = self._patterns[source.name]
        if any(p.search(target) for p in deny):
            return False
        return any(p.search(target) for p in allow) if allow else True

    def _too_old(self, date: datetime | None) -> bool:
        return self.since is not None and date is not None and date < self.since

    # -- responses --------------------------------------------------------------------

    def _source(self, response: Response) -> Source:
        assert self.config is not None
        source = self.config.source(response.meta["source"])
        self.crawler.stats.inc_value(f"newsarchive/pages/{source.name}")
        return source

    def parse(self, response: Response) -> Iterator[Any]:
        source = self._source(response)
        if response.status == 304:
            self.crawler.stats.inc_value("newsarchive/not_modified")
            self.not_modified.append(response.url)
            self._settle(response)
            return
        # A JPEG or PDF served as text/html is caught by its first bytes.
        if not isinstance(response, TextResponse) or looks_binary(response.body):
            self.crawler.stats.inc_value("newsarchive/not_html")
            self.failures[(source.name, "not_html", response.url)] += 1
            self._settle(response)
            return
        depth = response.meta["depth"]
        for link in self.links.links(response):
            if request := self._follow(link, source, depth + 1):
                yield request
        # Last: with CONCURRENT_ITEMS = 1 (settings.py) the links need not wait for it.
        if response.meta["kind"] == "article" or self.is_article_url(response.url, source):
            yield self.article(response, source)

    def _settle(self, exchange: Request | Response) -> None:
        """Settle every URL of a request's redirect chain: nothing left to resume there."""
        for url in (*exchange.meta.get("redirect_urls", ()), exchange.url):
            self.frontier.settle(url)

    def article(self, response: Response, source: Source) -> Article:
        """The fetched page as an article item; `pipelines.extract` fills in the rest."""
        return Article(
            url=response.url,
            source=source.name,
            fetched_at=datetime.now(UTC).isoformat(timespec="seconds"),
            status=response.status,
            headers={
                k.decode("latin-1"): b", ".join(v).decode("latin-1")
                for k, v in response.headers.items()
            },
            raw_html=response.body,
            urls_seen=sorted(
                {response.meta["found_as"], *response.meta.get("redirect_urls", ()), response.url}
            ),
        )

    def parse_feed(self, response: Response) -> Iterator[scrapy.Request]:
        """RSS 2.0 and Atom: every entry's link is an article candidate."""
        source = self._source(response)
        # A feed that is not well-formed, or links to what is no URL, is recorded once as
        # bad_feed, and read as far as it goes: the entries before the damage count.
        damaged = False
        try:
            root = lxml.etree.fromstring(response.body, _STRICT_XML_PARSER)
        except lxml.etree.XMLSyntaxError:
            damaged = True
            try:
                root = lxml.etree.fromstring(response.body, _XML_PARSER)
            except lxml.etree.XMLSyntaxError:  # nothing to recover: empty, or not text
                root = None
        for entry in () if root is None else root.iter("{*}item", "{*}entry"):
            url, date = None, None
            for child in entry.iterchildren(lxml.etree.Element):  # not comments, PIs
                tag = lxml.etree.QName(child).localname
                if tag == "link":
                    if child.get("rel", "alternate") == "alternate":
                        url = child.get("href") or (child.text or "").strip() or url
                elif tag in ("pubDate", "updated", "published", "date") and date is None:
                    date = parse_date(child.text)
            if not url or self._too_old(date):
                continue
            try:
                link = response.urljoin(url)
            except ValueError:  # "http://[oops/"
                damaged = True
                continue
            if request := self._follow(link, source, 1, date):
                yield request
        if damaged:
            self._record(response.request, "bad_feed")

    def parse_sitemap(self, response: Response) -> Iterator[scrapy.Request]:
        """Sitemap indexes and url sets (gzipped or not), news sitemaps included."""
        source = self._source(response)
        body = response.body
        if body[:2] == b"\x1f\x8b":  # a .xml.gz file (not a gzip-encoded response)
            try:
                body = gunzip(body, max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
            except ValueError:  # unpacks past DOWNLOAD_MAXSIZE: a gzip bomb, stopped there
                self._record(response.request, "too_large")
                return
            except (OSError, EOFError, struct.error, zlib.error):  # not a gzip stream after all
                self._record(response.request, "bad_sitemap")
                return
        # No entries, or an entry whose loc is no URL: recorded once as bad_sitemap.
        found = damaged = False
        for is_index, loc, date in sitemap_entries(body):
            found = True
            if self._too_old(date):
                continue
            try:
                url = response.urljoin(loc)
                if is_index:
                    if allowed(url, source.allowed_domains):
                        yield self._request(url, source, "sitemap")
                elif request := self._follow(url, source, 1, date):
                    yield request
            except ValueError:  # "http://[oops/", a port past 65535
                damaged = True
        if damaged or not found:
            self._record(response.request, "bad_sitemap")

    def failed(self, failure: Failure) -> None:
        """Count a request that produced no usable response (HTTP error, network, robots),
        under the URL the crawl asked for (the first of a redirect chain)."""
        kind = failure_kind(failure, self.settings.getint("REDIRECT_MAX_TIMES"))
        self._record(failure.request, kind)

    def request_dropped(self, request: scrapy.Request) -> None:
        """The scheduler drops a request it has seen: for a redirect, that means a loop."""
        chain = request.meta.get("redirect_urls", [])
        if "source" in request.meta and self.normalize(request.url) in map(self.normalize, chain):
            self._record(request, "redirect_loop")

    def _record(self, request: scrapy.Request, kind: str) -> None:
        first = (*request.meta.get("redirect_urls", ()), request.url)[0]
        self.failures[(request.meta["source"], kind, first)] += 1
        self._settle(request)
        self.logger.info("failed %s: %s", first, kind)
