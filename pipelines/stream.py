"""The archive's side of a cluster crawl: crawl nodes send what they extracted through a
Redis Stream, and one writer (`newsarchive ingest`) stores it in archive.db.

- A node's `StreamPipeline` (in place of the store) adds each article to the stream, its
  raw page compressed, and pauses while the stream is longer than NEWSARCHIVE_STREAM_MAX
  entries: when the writer falls behind, the nodes wait, and Redis memory stays bounded.
  A node also adds a `start` and an `end` entry, which become its `crawls` row.
- `Ingest` reads the stream as the one consumer of a consumer group and writes a batch in
  one transaction with the store's `Archive.write`; only once that has committed does it
  acknowledge (XACK) and delete the entries. A writer killed in between reads its unacked
  entries again on restart, and writing an article twice changes nothing (identity is the
  canonical URL plus the content hash, as in a single-process crawl).
- After each commit the writer publishes what the archive now knows (URL → first/last
  seen and HTTP validators) to Redis, where nodes look it up instead of opening the
  archive; at start it publishes the whole archive again, so the archive stays the truth
  even after Redis lost its data.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from typing import Any

import redis
import sqlite_utils
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.client import Pipeline
from redis.retry import Retry

from pipelines.store import Archive, now, source_rows
from scraper.items import Article, PackedPage

logger = logging.getLogger(__name__)

GROUP = "writers"  # the stream's consumer group
CONSUMER = "ingest"  # one writer: a restarted one reads its own unacked entries again
# `ingest --until-idle` waits this long for a first node before it calls the cluster idle.
IDLE_WAIT = 30.0
# The writer's lease in Redis, renewed every second; a writer dead on another machine
# blocks a new one this long (on the same machine, its restart takes over at once).
LEASE_MS = 15_000
_BACKOFF = {"base": 0.05, "cap": 0.5}  # seconds between tries while Redis is unreachable
_ARTICLE_FIELDS = [f.name for f in fields(Article) if f.name not in ("raw_html", "packed")]


class ClusterError(RuntimeError):
    """Redis cannot be used for a cluster crawl; the message says why, for a person."""


class WriterBusy(ClusterError):
    """Another `newsarchive ingest` is writing from this Redis."""


def outage_bound() -> float:
    """How long Redis may stay unreachable (a restart) before a node or the writer gives up:
    NEWSARCHIVE_REDIS_TIMEOUT seconds, 30 by default."""
    return float(os.environ.get("NEWSARCHIVE_REDIS_TIMEOUT", 30))


class Outage:
    """Redis unreachable, as all the clients of this process see it: since when, and
    whether that has lasted past the bound. Once it has, Redis is lost for good: every
    call fails at once, and the process stops (a node) or exits (the writer)."""

    def __init__(self) -> None:
        self.since: float | None = None
        self.lost = False
        self.lock = threading.Lock()

    def failed(self, bound: float) -> bool:
        """A call failed: is Redis lost now?"""
        with self.lock:
            clock = time.monotonic()
            self.since = self.since or clock
            self.lost = self.lost or clock - self.since > bound
            return self.lost

    def answered(self) -> None:
        self.since = None


OUTAGE = Outage()  # one per process: the clients' copies of their Retry all share it


class OutageRetry(Retry):
    """Retry a call while Redis has been unreachable for less than `bound` seconds,
    counted from the first failure of any client of the process, not per call: a node
    makes many calls, and each waiting out its own bound would stall it far longer."""

    def __init__(self, bound: float) -> None:
        super().__init__(ExponentialBackoff(**_BACKOFF), -1)
        self.bound = bound

    def call_with_retry(  # type: ignore[override]
        self,
        do: Callable[[], Any],
        fail: Callable[..., Any],
        is_retryable: Callable[[Exception], bool] | None = None,
        with_failure_count: bool = False,
    ) -> Any:
        self._backoff.reset()
        failures = 0
        while True:
            if OUTAGE.lost:
                raise redis.ConnectionError(f"unreachable for more than {self.bound:g} s")
            try:
                result = do()
            except self._supported_errors as error:
                failures += 1
                fail(error, failures) if with_failure_count else fail(error)
                if (is_retryable and not is_retryable(error)) or OUTAGE.failed(self.bound):
                    raise
                time.sleep(self._backoff.compute(failures))
            else:
                OUTAGE.answered()
                return result


def redis_params() -> dict[str, Any]:
    """Client options: short timeouts, and retries that ride out a Redis restart."""
    return {
        "socket_connect_timeout": 2,
        "socket_timeout": 10,
        "retry": OutageRetry(outage_bound()),
        "retry_on_error": [redis.ConnectionError, redis.TimeoutError],
    }


def redacted(url: str) -> str:
    """The URL without its password, for messages."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def connect(url: str) -> redis.Redis:
    """A client for `url`, checked with a PING that does not wait for retries; raises
    ClusterError with a one-line reason (bad URL, unreachable, refused)."""
    try:
        client = redis.Redis.from_url(url, **redis_params())
    except ValueError as exc:
        raise ClusterError(f"{redacted(url)}: not a Redis URL ({exc})") from None
    probe = redis.Redis.from_url(url, socket_connect_timeout=2, retry=Retry(NoBackoff(), 0))
    try:
        probe.ping()
    except redis.RedisError as exc:
        raise ClusterError(f"{redacted(url)}: Redis unreachable ({exc})") from None
    finally:
        probe.close()
    return client


@dataclass(frozen=True)
class Keys:
    """Every Redis key of one cluster, under one prefix."""

    prefix: str = "newsarchive"

    def __getattr__(self, name: str) -> str:  # keys.stream == "newsarchive:stream"
        if name.startswith("_"):
            raise AttributeError(name)
        return f"{self.prefix}:{name}"

    def node(self, node: str) -> str:
        """The node's heartbeat: present while it runs (expires when it dies)."""
        return f"{self.prefix}:node:{node}"

    def inflight(self, node: str) -> str:
        return f"{self.prefix}:inflight:{node}"


def node_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _dead_here(holder: str) -> bool:
    """Is `holder` (a node_name) a process of this machine that no longer runs?"""
    host, _, pid = holder.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def live_nodes(client: redis.Redis, keys: Keys) -> set[str]:
    pattern = keys.node("*")
    return {k.decode().removeprefix(pattern[:-1]) for k in client.scan_iter(pattern)}


def ensure_group(client: redis.Redis, keys: Keys) -> None:
    """The consumer group, made once; from id 0, so no entry added before it is missed."""
    try:
        client.xgroup_create(keys.stream, GROUP, id="0", mkstream=True)
    except redis.ResponseError as exc:
        if "BUSYGROUP" not in str(exc):
            raise


# -- entries --------------------------------------------------------------------------


def article_entry(node: str, article: Article) -> dict[str, Any]:
    """The article as one stream entry: its fields as JSON, its raw page as the archive
    keeps it (packed by the node's extraction worker, so the writer only stores it)."""
    data = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    page = article.packed_page()
    return {
        "kind": "article",
        "node": node,
        "data": json.dumps(data, ensure_ascii=False),
        "raw": page.data if page else b"",
        "raw_sha256": page.sha256 if page else "",
        "raw_size": page.size if page else 0,
    }


def record_entry(kind: str, node: str, record: dict[str, Any]) -> dict[str, Any]:
    return {"kind": kind, "node": node, "data": json.dumps(record, ensure_ascii=False)}


def decode_article(entry: dict[bytes, bytes]) -> Article:
    """The article of an entry, its raw page left packed (`raw_html` stays empty)."""
    article = Article(**json.loads(entry[b"data"]))
    if entry[b"raw"]:
        sha256, size = entry[b"raw_sha256"].decode(), int(entry[b"raw_size"])
        article.packed = PackedPage(sha256, size, entry[b"raw"])
    return article


# -- the node's side ------------------------------------------------------------------


class StreamPipeline:
    """A node's last pipeline: hands each article to the writer through the stream."""

    def __init__(self, crawler: Any, client: redis.Redis, keys: Keys, node: str) -> None:
        self.crawler = crawler
        self.client = client
        self.keys = keys
        self.node = node
        self.bound = crawler.settings.getint("NEWSARCHIVE_STREAM_MAX")
        self.sent = 0
        self.full = True  # the stream's length is not known yet

    @classmethod
    def from_crawler(cls, crawler: Any) -> StreamPipeline:
        settings = crawler.settings
        client = redis.Redis.from_url(settings.get("NEWSARCHIVE_REDIS_URL"), **redis_params())
        keys = Keys(settings.get("NEWSARCHIVE_REDIS_PREFIX"))
        return cls(crawler, client, keys, settings.get("NEWSARCHIVE_NODE"))

    def open_spider(self) -> None:
        ensure_group(self.client, self.keys)
        self.started = now()
        self.clock = time.monotonic()
        self.client.xadd(
            self.keys.stream, record_entry("start", self.node, {"started": self.started})
        )

    async def process_item(self, item: Article) -> Article:
        if not self.crawler.spider.config.crawl.keep_raw:
            item.raw_html = item.packed = None
        while self.full:
            self.full = self.client.xlen(self.keys.stream) >= self.bound
            if self.full:  # the writer is behind: hold this item, and with it (Scrapy's
                # scraper slot limit) new downloads
                self.crawler.stats.inc_value("newsarchive/stream_waits")
                await asyncio.sleep(0.2)
        # One round trip: the entry, the end of its request's stay in flight (both or
        # neither), and the stream's length for the next item.
        pipe = self.client.pipeline()
        pipe.xadd(self.keys.stream, article_entry(self.node, item))
        self.crawler.spider.frontier.sent(item.urls_seen, via=pipe)
        pipe.xlen(self.keys.stream)
        self.full = pipe.execute()[-1] >= self.bound
        self.sent += 1
        return item

    def close_spider(self) -> None:
        if OUTAGE.lost:  # no end entry: the writer marks this node's run interrupted
            return
        spider = self.crawler.spider
        record = {
            "started": self.started,
            "finished": now(),
            "seconds": round(time.monotonic() - self.clock, 2),
            "sources": source_rows(spider, self.crawler.stats),
            "failures": [[*key, n] for key, n in spider.failures.items()],
            "not_modified": spider.not_modified,
            "redirects": spider.redirects,
            "sent": self.sent,
        }
        self.client.xadd(self.keys.stream, record_entry("end", self.node, record))


# -- the writer -----------------------------------------------------------------------


class Ingest:
    """The one process that writes a cluster's archive."""

    def __init__(
        self,
        client: redis.Redis,
        db: sqlite_utils.Database,
        keys: Keys,
        *,
        batch_size: int = 200,
        keep_raw: bool = True,
    ) -> None:
        self.client = client
        self.db = db
        self.keys = keys
        self.batch_size = batch_size
        self.archive = Archive(db, keep_raw=keep_raw)
        self.stored = 0  # articles written (new, updated or seen again)
        self.entries = 0  # stream entries written
        # Seconds spent on batches: writing them (wall-clock), reading and writing them (CPU).
        self.busy = self.cpu = 0.0
        self.lease = node_name()
        self.stopping = False  # asked to stop (`stop_on_signals`)

    @contextmanager
    def lock(self) -> Iterator[None]:
        """One writer per cluster (the archive's own lock covers one machine only)."""
        if not self.client.set(self.keys.writer, self.lease, nx=True, px=LEASE_MS):
            holder = (self.client.get(self.keys.writer) or b"?").decode()
            if not _dead_here(holder):
                raise WriterBusy(f"another ingest ({holder}) is writing from this Redis")
            self.client.set(self.keys.writer, self.lease, px=LEASE_MS)  # its restart
        try:
            yield
        finally:  # (a lost Redis: the lease expires)
            if not OUTAGE.lost and self.client.get(self.keys.writer) == self.lease.encode():
                self.client.delete(self.keys.writer)

    @contextmanager
    def stop_on_signals(self) -> Iterator[None]:
        """While the block runs, SIGINT and SIGTERM ask the writer to stop: the batch in
        hand is committed and acknowledged, and `drain` returns within a second (a read
        waits that long for entries). No KeyboardInterrupt is raised wherever the process
        happens to be (inside an SQLite callback it would become an SQL error), and SIGINT
        stops it even when it came ignored, as a job that a script starts in the background
        inherits it: the writer would otherwise never stop on it."""

        def stop(signum: int, frame: Any) -> None:
            self.stopping = True

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def run(self, *, until_idle: bool = False) -> None:
        """See `drain`; a Redis lost for longer than the retries last is a ClusterError."""
        try:
            self.drain(until_idle=until_idle)
        except redis.ConnectionError as exc:
            raise ClusterError(f"lost Redis ({exc}); what was acknowledged is stored") from None

    def drain(self, *, until_idle: bool = False) -> None:
        """Write until stopped (`stopping`); with `until_idle`, until no node runs and the
        stream is drained (cron, tests), having written something or waited IDLE_WAIT
        seconds for a node to start."""
        ensure_group(self.client, self.keys)
        self.publish_archive()
        backlog = True  # first our own entries read before a crash, then new ones
        started = time.monotonic()
        while not self.stopping:
            cpu = time.process_time()  # a batch's CPU counts reading it (waiting costs none)
            self.client.set(self.keys.writer, self.lease, px=LEASE_MS)
            reply = self.client.xreadgroup(
                GROUP,
                CONSUMER,
                {self.keys.stream: "0" if backlog else ">"},
                count=self.batch_size,
                block=None if backlog else 1000,
            )
            entries = reply[0][1] if reply else []
            if backlog and not entries:
                backlog = False
                continue
            if entries:
                clock = time.monotonic()
                self.write(entries)
                self.entries += len(entries)
                self.cpu += time.process_time() - cpu
                self.busy += time.monotonic() - clock
                continue
            self.mark_interrupted()
            (group,) = (
                g for g in self.client.xinfo_groups(self.keys.stream) if g["name"] == GROUP.encode()
            )
            if group["pending"]:
                # Delivered to us but never acknowledged: Redis restarted (or the connection
                # dropped) before its reply reached us, and the client's retry read on from
                # there. Read them again, or they stay in the stream for ever.
                backlog = True
                continue
            waited = self.entries or time.monotonic() - started > IDLE_WAIT
            # Every entry delivered (and none pending): drained, even if an XDEL was lost.
            last = self.client.xinfo_stream(self.keys.stream)["last-generated-id"]
            drained = group["last-delivered-id"] == last
            if until_idle and waited and drained and not live_nodes(self.client, self.keys):
                return

    def write(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """One transaction for the batch, then the acknowledgement."""
        stored: list[Article] = []
        seen: set[str] = set()  # URLs whose archive record changed: published after commit
        with self.db.atomic():
            for node, kind, group in _runs(entries):
                if kind == "article":
                    articles = [decode_article(e) for e in group]
                    self._articles(node, articles)
                    stored.extend(articles)
                    seen.update(u for a in articles for u in (a.canonical_url, *a.urls_seen))
                else:
                    for entry in group:
                        seen.update(self._record(node, kind, json.loads(entry[b"data"])))
        self.stored += len(stored)
        # After the commit, in one round trip: what the archive now knows, the settled
        # URLs out of the nodes' frontier, and the acknowledgement.
        pipe = self.client.pipeline(transaction=False)
        self.publish(seen, pipe)
        if stored:
            pipe.hdel(self.keys.frontier, *{u for a in stored for u in a.urls_seen})
        ids = [entry_id for entry_id, _ in entries]
        pipe.xack(self.keys.stream, GROUP, *ids)
        pipe.xdel(self.keys.stream, *ids)
        pipe.execute()

    def _crawl_id(self, node: str, started: str | None = None) -> int:
        """The node's crawls row: one per node and run, made by its first entry."""
        row = self.db.execute(
            "SELECT id FROM crawls WHERE node = ? ORDER BY id DESC LIMIT 1", [node]
        ).fetchone()
        if row:
            return row[0]
        return (
            self.db["crawls"]
            .insert(
                {
                    "started": started or now(),
                    "status": "running",
                    "node": node,
                    **dict.fromkeys(("pages", "articles_new", "articles_updated"), 0),
                    **dict.fromkeys(("duplicates", "errors"), 0),
                }
            )
            .last_pk
        )

    def _articles(self, node: str, articles: list[Article]) -> None:
        crawl_id = self._crawl_id(node)
        self.archive.outcomes = Counter()
        self.archive.write(articles)
        self.archive.record_not_articles(crawl_id)
        for source, n in self.archive.source_counts().items():
            self.db.execute(
                "INSERT INTO crawl_sources (crawl_id, source, status, pages, articles_new, "
                "articles_updated, duplicates, errors) VALUES (?, ?, 'running', 0, ?, ?, ?, 0) "
                "ON CONFLICT (crawl_id, source) DO UPDATE SET "
                "articles_new = articles_new + excluded.articles_new, "
                "articles_updated = articles_updated + excluded.articles_updated, "
                "duplicates = duplicates + excluded.duplicates",
                [crawl_id, source, n["articles_new"], n["articles_updated"], n["duplicates"]],
            )

    def _record(self, node: str, kind: str, record: dict[str, Any]) -> list[str]:
        """A node's start or end; the URLs whose archive record it changed."""
        crawl_id = self._crawl_id(node, record.get("started"))
        if kind != "end":
            return []
        self.archive.touch(record["not_modified"])
        self.archive.alias(record["redirects"])
        for row in record["sources"]:
            self.db.execute(
                "INSERT INTO crawl_sources (crawl_id, source, status, pages, articles_new, "
                "articles_updated, duplicates, errors) VALUES (?, ?, ?, ?, 0, 0, 0, ?) "
                "ON CONFLICT (crawl_id, source) DO UPDATE SET status = excluded.status, "
                "pages = excluded.pages, errors = excluded.errors",
                [crawl_id, row["source"], row["status"], row["pages"], row["errors"]],
            )
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO crawl_errors (crawl_id, source, kind, url, count) "
            "VALUES (?, ?, ?, ?, ?)",
            [(crawl_id, *failure) for failure in record["failures"]],
        )
        totals = self.db.execute(
            "SELECT sum(pages), sum(articles_new), sum(articles_updated), sum(duplicates), "
            "sum(errors), max(status = 'failed') FROM crawl_sources WHERE crawl_id = ?",
            [crawl_id],
        ).fetchone()
        self.db["crawls"].update(
            crawl_id,
            {
                **dict(
                    zip(
                        ("pages", "articles_new", "articles_updated", "duplicates", "errors"),
                        (n or 0 for n in totals[:5]),
                        strict=True,
                    )
                ),
                "finished": record["finished"],
                "seconds": record["seconds"],
                "status": "failed" if totals[5] else "finished",
            },
        )
        return [*record["not_modified"], *record["redirects"]]

    def mark_interrupted(self) -> None:
        """Crawls of nodes that stopped without their `end` entry (killed): interrupted."""
        running = self.db.execute(
            "SELECT id, node FROM crawls WHERE status = 'running' AND node IS NOT NULL"
        ).fetchall()
        alive = live_nodes(self.client, self.keys) if running else set()
        dead = [crawl_id for crawl_id, node in running if node not in alive]
        if dead:
            with self.db.atomic():
                self.db.conn.executemany(
                    "UPDATE crawls SET status = 'interrupted' WHERE id = ?", [(i,) for i in dead]
                )

    # Each URL's record as the JSON array the nodes read (scraper.crawl.cluster).
    _KNOWN = (
        "SELECT u.url, json_array(a.first_seen, a.last_seen, a.etag, a.http_last_modified) "
        "FROM article_urls u JOIN articles a ON a.id = u.article_id"
    )

    def publish(self, urls: Iterable[str], pipe: Pipeline) -> None:
        """What the archive knows of these URLs, for the nodes' frontier lookups; sent
        with `pipe`."""
        urls = list(urls)
        for start in range(0, len(urls), 500):
            chunk = urls[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(f"{self._KNOWN} WHERE u.url IN ({marks})", chunk).fetchall()
            if rows:
                pipe.hset(self.keys.known, mapping=dict(rows))

    def publish_archive(self) -> None:
        """What the archive knows of every URL, 1,000 at a time."""
        cursor = self.db.execute(self._KNOWN)
        while not self.stopping and (rows := cursor.fetchmany(1000)):
            self.client.hset(self.keys.known, mapping=dict(rows))


def _runs(
    entries: list[tuple[bytes, dict[bytes, bytes]]],
) -> Iterator[tuple[str, str, list[dict[bytes, bytes]]]]:
    """(node, kind, entries) for each run of consecutive entries of one node and kind, in
    stream order: a node's `end` entry is written after all its articles."""
    run: list[dict[bytes, bytes]] = []
    current: tuple[str, str] | None = None
    for _, entry in entries:
        key = (entry[b"node"].decode(), entry[b"kind"].decode())
        if key != current and run:
            yield (*current, run)  # type: ignore[misc]
            run = []
        current = key
        run.append(entry)
    if run and current:
        yield (*current, run)
