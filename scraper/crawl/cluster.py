"""A crawl node: one of many processes, on as many machines, crawling into one archive
through Redis (`newsarchive crawl --redis URL`). The single-process crawl does not use it.

What the nodes share in Redis, and who provides it:
- the request queue and the dupefilter: scrapy-redis's scheduler and dupefilter;
- what each node has taken from the queue and not yet finished (`ReliableQueue`).
  scrapy-redis falls short here: its queue pops destructively, so the requests a killed
  node was working on would be gone. Ours moves a request into the node's in-flight hash
  in the same atomic step as the pop, and the other nodes (or its restart) put a dead
  node's in-flight requests back into the queue once its heartbeat has expired;
- the frontier (`RedisFrontier`): the single-process frontier table's twin — discovered
  article URLs not yet settled, and what the archive already has, as the writer publishes
  it (see pipelines.stream);
- politeness (`ClusterPoliteness`): each site's concurrency and delay from sources.toml
  hold for all nodes together, through a lease and a next-slot time per host;
- the end of a run: a node finishes when the queue is empty and no node has anything in
  flight; the last one clears the dupefilter, so the next run fetches discovery pages again.

A node whose Redis stays unreachable past NEWSARCHIVE_REDIS_TIMEOUT (pipelines.stream.Outage)
stops: what it had taken stays in its in-flight hash in Redis, for the other nodes or its
restart to take back once Redis returns, and the writer marks its crawls row interrupted.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import warnings
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.crawler import CrawlerProcess
from scrapy.exceptions import DontCloseSpider, ScrapyDeprecationWarning
from scrapy.http import Response
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.httpobj import urlparse_cached
from scrapy_redis.queue import PriorityQueue
from twisted.internet import task

from pipelines.store import source_rows
from pipelines.stream import OUTAGE, Keys, live_nodes, redis_params
from scraper.config import Config
from scraper.crawl.frontier import Known
from scraper.crawl.runner import crawl_settings
from scraper.items import Article
from scraper.spiders.news import NewsSpider

HEARTBEAT_MS = 5000  # a node silent this long is taken for dead


def client_of(settings: Any) -> redis.Redis:
    return redis.Redis.from_url(settings.get("NEWSARCHIVE_REDIS_URL"), **redis_params())


def node_settings(url: str, node: str, prefix: str) -> dict[str, Any]:
    """The Scrapy settings that turn a crawl into a node of the cluster at `url`."""
    from scraper import settings as defaults

    keys = Keys(prefix)
    pipelines = dict(defaults.ITEM_PIPELINES)
    del pipelines["pipelines.store.StorePipeline"]  # only the writer opens the archive
    return {
        "NEWSARCHIVE_REDIS_URL": url,
        "NEWSARCHIVE_REDIS_PREFIX": prefix,
        "NEWSARCHIVE_NODE": node,
        "NEWSARCHIVE_FRONTIER": "scraper.crawl.cluster.RedisFrontier",
        # The one writer only inserts the search terms: the node's workers compute them.
        "NEWSARCHIVE_WORKER_TERMS": True,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "scraper.crawl.cluster.ReliableQueue",
        "SCHEDULER_QUEUE_KEY": keys.requests,
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_DUPEFILTER_KEY": keys.dupefilter,
        "SCHEDULER_PERSIST": True,  # shared: one node closing must not clear the others' queue
        "REDIS_URL": url,
        "REDIS_PARAMS": redis_params(),
        "ITEM_PIPELINES": {**pipelines, "pipelines.stream.StreamPipeline": 300},
        "EXTENSIONS": {**defaults.EXTENSIONS, "scraper.crawl.cluster.ClusterNode": 600},
        "SPIDER_MIDDLEWARES": {"scraper.crawl.cluster.ReleaseListings": 50},
        "DOWNLOADER_MIDDLEWARES": {
            **defaults.DOWNLOADER_MIDDLEWARES,
            "scraper.crawl.cluster.ClusterPoliteness": 900,
        },
    }


def run_node(config: Config, url: str, node: str, prefix: str, **overrides: Any) -> dict:
    """Crawl as one node of the cluster at `url` until the cluster's run is done; return
    what this node did (its crawls row is the writer's)."""
    # scrapy-redis still calls APIs Scrapy deprecated; its warnings are not the user's.
    warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")
    spider_args = {name: overrides.pop(name, None) for name in ("max_pages", "since")}
    settings = crawl_settings(config, "", **node_settings(url, node, prefix), **overrides)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(NewsSpider)
    for handler in logging.getLogger().handlers:
        if getattr(handler, "stream", None) is sys.stderr:
            handler.addFilter(quiet_once_lost)
    process.crawl(crawler, config=config, **spider_args)
    process.start()
    spider = crawler.spider
    sources = source_rows(spider, crawler.stats)
    not_articles = crawler.stats.get_value("newsarchive/not_article", 0)
    return {
        "node": node,
        "status": "failed" if any(r["status"] == "failed" for r in sources) else "finished",
        "pages": sum(r["pages"] for r in sources),
        "errors": sum(r["errors"] for r in sources),
        # Pages judged not articles go to the writer too, listed in crawl_errors there.
        "sent": crawler.stats.get_value("item_scraped_count", 0) - not_articles,
        "not_articles": not_articles,
        "sources": sources,
        "redis_lost": OUTAGE.lost,
    }


def quiet_once_lost(record: logging.LogRecord) -> bool:
    """Once Redis is lost, the node stops and the command says so in one line: the calls
    failing meanwhile are no news on stderr (the log file still has them)."""
    return not OUTAGE.lost


# -- the queue ------------------------------------------------------------------------

# Pop the best request and keep it in the node's in-flight hash (URL → "score|member"),
# in one step: a node killed at any moment loses nothing.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #item == 0 then return false end
redis.call('ZREM', KEYS[1], item[1])
local cut = string.find(item[1], '\\0', 1, true)
redis.call('HSET', KEYS[2], string.sub(item[1], 1, cut - 1), item[2] .. '|' .. item[1])
return item[1]
"""
# A dead node's in-flight requests back into the queue, unless its heartbeat is back.
_RECLAIM = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local all = redis.call('HVALS', KEYS[2])
for _, value in ipairs(all) do
  local bar = string.find(value, '|', 1, true)
  redis.call('ZADD', KEYS[3], string.sub(value, 1, bar - 1), string.sub(value, bar + 1))
end
redis.call('DEL', KEYS[2])
return #all
"""


class ReliableQueue(PriorityQueue):
    """scrapy-redis's priority queue, popping into the node's in-flight hash."""

    def __init__(self, server: redis.Redis, spider: Any, key: str, serializer: Any = None):
        super().__init__(server, spider, key, serializer)
        settings = spider.settings
        self.inflight = Keys(settings.get("NEWSARCHIVE_REDIS_PREFIX")).inflight(
            settings.get("NEWSARCHIVE_NODE")
        )
        self._pop = server.register_script(_POP)

    def _encode_request(self, request: Request) -> bytes:
        # The URL first, so the pop script can key the in-flight hash by it.
        return request.url.encode() + b"\0" + super()._encode_request(request)

    def _decode_request(self, encoded_request: bytes) -> Request:
        return super()._decode_request(encoded_request.split(b"\0", 1)[1])

    def pop(self, timeout: int = 0) -> Request | None:
        member = self._pop(keys=[self.key, self.inflight])
        return self._decode_request(member) if member else None


def reclaim(client: redis.Redis, keys: Keys) -> int:
    """Requeue what dead nodes had in flight; the number of requests requeued."""
    script = client.register_script(_RECLAIM)
    prefix = keys.inflight("")
    moved = 0
    for key in client.scan_iter(keys.inflight("*")):
        node = key.decode().removeprefix(prefix)
        moved += script(keys=[keys.node(node), key, keys.requests])
    return moved


# -- the frontier ---------------------------------------------------------------------


class RedisFrontier:
    """`scraper.crawl.frontier.Frontier` for a node: the same calls, kept in Redis.

    - `lookup` reads what the writer published about the archive;
    - `add`/`settle`/`pending`: discovered article URLs not yet settled (the writer settles
      the stored ones after its commit, as the store does in a single-process crawl);
    - settling a URL, or `sent` (the article went to the writer), also ends its request's
      stay in this node's in-flight hash.
    """

    def __init__(self, client: redis.Redis, keys: Keys, node: str) -> None:
        self.client = client
        self.keys = keys
        self.inflight = keys.inflight(node)
        self.looked_up: dict[str, Known | None] = {}

    MEMO = 200_000  # lookups remembered, at most

    @classmethod
    def from_crawler(cls, crawler: Any) -> RedisFrontier:
        settings = crawler.settings
        keys = Keys(settings.get("NEWSARCHIVE_REDIS_PREFIX"))
        return cls(client_of(settings), keys, settings.get("NEWSARCHIVE_NODE"))

    def lookup(self, url: str) -> Known | None:
        # A link met again this run (site navigation, on every page) is answered from
        # memory: whatever the first answer, the spider has requested or skipped it by then.
        if url in self.looked_up:
            return self.looked_up[url]
        if len(self.looked_up) >= self.MEMO:
            self.looked_up.clear()
        found = self.client.hget(self.keys.known, url)
        known = None
        if found is not None:
            first, last, etag, last_modified = json.loads(found)
            first, last = datetime.fromisoformat(first), datetime.fromisoformat(last)
            known = Known(first, last, etag, last_modified)
        self.looked_up[url] = known
        return known

    def pending(self, sources: list[str]) -> list[tuple[str, str, int, str, str | None]]:
        wanted = set(sources)
        found = []
        for url, value in self.client.hscan_iter(self.keys.frontier):
            source, depth, found_as, lastmod = json.loads(value)
            if source in wanted:
                found.append((url.decode(), source, depth, found_as, lastmod))
        return found

    def add(self, url: str, source: str, depth: int, found_as: str, lastmod: str | None) -> None:
        self.client.hset(self.keys.frontier, url, json.dumps([source, depth, found_as, lastmod]))

    def settle(self, url: str) -> None:
        self.client.hdel(self.keys.frontier, url)
        self.sent([url])

    def sent(self, urls: Iterable[str], via: redis.client.Pipeline | None = None) -> None:
        """Done with these URLs' requests; `via` a pipeline, to go with its commands."""
        if urls := list(urls):
            (via or self.client).hdel(self.inflight, *urls)

    def flush(self) -> None:
        """Nothing waits: every call above is already in Redis."""

    def close(self, *, flush: bool = True) -> None:
        self.client.close()


class ReleaseListings:
    """Spider middleware: a page that gave no article (a listing, feed or sitemap) is done
    once its links are queued; an article page is done when the article reaches the
    writer's stream (pipelines.stream.StreamPipeline) or is dropped."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReleaseListings:
        return cls(crawler)

    async def process_spider_output(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        article = False
        async for output in result:
            article = article or isinstance(output, Article)
            yield output
        if not article:
            chain = [*response.meta.get("redirect_urls", ()), response.url]
            self.crawler.spider.frontier.sent(chain)


# -- the node's life ------------------------------------------------------------------


class ClusterNode:
    """Heartbeat, reclaiming dead nodes' requests (every half second), and when to stop."""

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.client = client_of(settings)
        self.keys = Keys(settings.get("NEWSARCHIVE_REDIS_PREFIX"))
        self.node = settings.get("NEWSARCHIVE_NODE")
        self.loop = task.LoopingCall(self.beat)
        self.stopping = threading.Event()
        self.heart = threading.Thread(target=self.heartbeat, name="heartbeat", daemon=True)
        # Alive from now on: before the node's first entry reaches the writer (whose
        # --until-idle waits for live nodes) and before it takes a request.
        self.client.set(self.keys.node(self.node), "1", px=HEARTBEAT_MS)
        self.heart.start()

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClusterNode:
        node = cls(crawler)
        crawler.signals.connect(node.opened, signal=signals.spider_opened)
        crawler.signals.connect(node.idle, signal=signals.spider_idle)
        crawler.signals.connect(node.closed, signal=signals.spider_closed)
        crawler.signals.connect(node.item_error, signal=signals.item_error)
        return node

    def opened(self) -> None:
        self.loop.start(0.5, now=True)

    def heartbeat(self) -> None:
        """In a thread of its own: a reactor busy for seconds (a sitemap of 50,000 URLs)
        must not look like a dead node to the others."""
        client = client_of(self.crawler.settings)
        while not self.stopping.wait(HEARTBEAT_MS / 5000):
            try:  # retried while Redis restarts, up to NEWSARCHIVE_REDIS_TIMEOUT
                client.set(self.keys.node(self.node), "1", px=HEARTBEAT_MS)
            except redis.RedisError:
                if OUTAGE.lost:
                    from twisted.internet import reactor  # the one Scrapy installed

                    reactor.callFromThread(self.give_up)
                    break
        client.close()

    def give_up(self) -> None:
        """Redis is lost: stop the crawl (see this module's docstring)."""
        engine = self.crawler.engine
        if engine is not None and engine.running:
            deferred_from_coro(engine.close_spider_async(reason="redis_lost"))

    def beat(self) -> None:
        if OUTAGE.lost:  # stopping: see `give_up`
            return
        try:
            reclaim(self.client, self.keys)
            if self.client.zcard(self.keys.requests):
                self.wake()  # another node's links, or a dead node's requests
        except redis.RedisError:
            # Lost during this beat: the heartbeat thread stops the node. Raising would
            # end the loop with a traceback on stderr, besides the one-line message.
            if not OUTAGE.lost:
                raise

    def wake(self) -> None:
        """Have the engine ask the scheduler now, not at its next 5-second heartbeat."""
        slot = getattr(self.crawler.engine, "_slot", None)
        if slot is not None:
            slot.nextcall.schedule()

    def busy(self) -> bool:
        """Is there work left anywhere in the cluster (queued, or in a node's hands)?"""
        return bool(self.client.zcard(self.keys.requests)) or any(
            True for _ in self.client.scan_iter(self.keys.inflight("*"))
        )

    def idle(self) -> None:
        if OUTAGE.lost:
            return
        # Idle means all this node took is done: whatever its hash still lists is stale.
        self.client.delete(self.keys.inflight(self.node))
        if self.busy():  # wait: `beat` wakes the engine when requests come
            raise DontCloseSpider

    def item_error(self, item: Article) -> None:
        self.crawler.spider.frontier.sent(item.urls_seen)

    def closed(self) -> None:
        if self.loop.running:
            self.loop.stop()
        self.stopping.set()
        if self.heart.is_alive():
            self.heart.join()
        if OUTAGE.lost:  # its heartbeat expires; what it holds in flight stays for others
            return
        self.client.delete(self.keys.node(self.node))
        if not self.busy() and not live_nodes(self.client, self.keys):
            self.client.delete(self.keys.dupefilter)  # the run is over: the next starts anew
        self.client.close()


# -- politeness -----------------------------------------------------------------------

# A lease for one request to a host: at most ARGV[2] at a time across the cluster, and
# starts at least ARGV[3] ms apart. Returns the ms to wait before starting, or -1: full.
_ACQUIRE = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local next = tonumber(redis.call('GET', KEYS[2]) or '0')
local at = math.max(now, next)
redis.call('SET', KEYS[2], at + tonumber(ARGV[3]), 'PX', tonumber(ARGV[3]) + 60000)
redis.call('ZADD', KEYS[1], at + tonumber(ARGV[1]), ARGV[4])
return at - now
"""


class ClusterPoliteness:
    """Downloader middleware: the per-site concurrency and delay hold for the cluster.

    Each node's Scrapy still keeps them locally; this adds a Redis lease per request
    (expiring after the download timeout, so a dead node's leases lapse) and a next-start
    time per host, so two nodes do not double the load on a site.
    """

    def __init__(self, crawler: Any) -> None:
        settings = crawler.settings
        self.client = client_of(settings)
        self.keys = Keys(settings.get("NEWSARCHIVE_REDIS_PREFIX"))
        self.node = settings.get("NEWSARCHIVE_NODE")
        self.limit = settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN")
        self.delay_ms = int(settings.getfloat("DOWNLOAD_DELAY") * 1000)
        self.lease_ms = int(settings.getfloat("DOWNLOAD_TIMEOUT") * 1000) + self.delay_ms
        self.acquire = self.client.register_script(_ACQUIRE)

    @classmethod
    def from_crawler(cls, crawler: Any) -> ClusterPoliteness:
        return cls(crawler)

    async def process_request(self, request: Request) -> None:
        host = urlparse_cached(request).hostname or ""
        lease = (f"{self.keys.leases}:{host}", f"{self.node}:{id(request)}")
        keys = [lease[0], f"{self.keys.next_start}:{host}"]
        args = [self.lease_ms, self.limit, self.delay_ms, lease[1]]
        while (wait := self.acquire(keys=keys, args=args)) < 0:
            await asyncio.sleep(max(self.delay_ms, 50) / 1000)
        request.meta["cluster_lease"] = lease
        if wait:
            await asyncio.sleep(wait / 1000)

    def release(self, request: Request) -> None:
        if lease := request.meta.pop("cluster_lease", None):
            self.client.zrem(*lease)

    def process_response(self, request: Request, response: Response) -> Response:
        self.release(request)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        self.release(request)
