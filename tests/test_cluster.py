"""Many crawl nodes and one writer, through a real redis-server (Debian's, AOF on), crawl
the demo sites into an archive that must equal a single-process crawl's."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
import test_crawl_demo
from conftest import REPO, run_cli
from test_crawl_demo import expected_urls, with_recheck_hours, write_config

import demo
from pipelines.textsearch import fts_query
from scraper.urls import normalize_url

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
pytestmark = pytest.mark.skipif(
    not os.path.exists(REDIS_SERVER), reason="no redis-server (.ci/run installs Debian's)"
)
site = test_crawl_demo.site  # the demo sites' server, a module fixture
# The demo sites are ours, on loopback: no AutoThrottle, so a run takes seconds.
ENV = {**os.environ, "NEWSARCHIVE_AUTOTHROTTLE": "0", "NEWSARCHIVE_EXTRACT_WORKERS": "1"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """redis-server on a free loopback port, its AOF in a temporary folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                REDIS_SERVER,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.folder),
                "--appendonly",
                "yes",
                "--appendfsync",
                "everysec",
                "--save",
                "",
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        for _ in range(100):
            try:
                client.ping()
                return
            except redis.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()  # a clean shutdown writes the AOF out
            self.process.wait(10)
            self.process = None

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port)


@pytest.fixture
def redis_server(tmp_path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def single(site, tmp_path_factory) -> Path:
    """The archive of a single-process crawl: what every cluster run must equal."""
    tmp = tmp_path_factory.mktemp("single")
    config = write_config(tmp / "sources.toml", site.origins)
    result = run_cli("crawl", "--config", str(config), "--db", str(tmp / "a.db"), env=ENV)
    assert result.returncode == 0, result.stderr
    return tmp / "a.db"


# The fault tests crawl two of the demo sites, to keep their time modest.
SUBSET = ("dailywire", "agregator")


def subset_config(path: Path, origins: dict[str, str], delay: float = 0) -> Path:
    config = write_config(path, {name: origins[name] for name in SUBSET})
    config.write_text(config.read_text().replace("download_delay = 0", f"download_delay = {delay}"))
    return config


def subset_urls(origins: dict[str, str]) -> set[str]:
    return {url for url in expected_urls(origins) if url.startswith(tuple(
        origins[name] + "/" for name in SUBSET))}  # fmt: skip


STREAM = "newsarchive:stream"


def complete(db: Path, origins: dict[str, str]) -> None:
    """Every article of the subset, each once, and a sound file."""
    assert {a[0] for a in archive(db)["articles"]} == subset_urls(origins)


def newsarchive(*args: str, env: dict[str, str] = ENV, **popen: Any) -> subprocess.Popen:
    """`newsarchive ARGS` started in the background."""
    return subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **popen,
    )


def node(config: Path, url: str) -> subprocess.Popen:
    return newsarchive("crawl", "--config", str(config), "--redis", url)


def writer(db: Path, url: str, *extra: str) -> subprocess.Popen:
    return newsarchive("ingest", "--db", str(db), "--redis", url, *(extra or ["--until-idle"]))


def finish(process: subprocess.Popen, timeout: float = 120) -> str:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    assert "Traceback" not in err, err
    return out


def crawl_taken_out(config: Path, server: RedisServer) -> list[tuple[bytes, dict]]:
    """A node's whole crawl as the stream held it, taken out of the stream to be put back
    as a test wants it."""
    client = server.client()
    finish(node(config, server.url))  # the stream now holds the whole crawl
    entries = client.xrange(STREAM)
    client.xdel(STREAM, *(entry_id for entry_id, _ in entries))
    return entries


def wait_for(condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def nodes_running(server: RedisServer) -> bool:
    return bool(list(server.client().scan_iter("newsarchive:node:*")))


def cluster_crawl(config: Path, db: Path, server: RedisServer, nodes: int = 3) -> list[str]:
    crawlers = [node(config, server.url) for _ in range(nodes)]
    wait_for(lambda: nodes_running(server))
    ingest = writer(db, server.url)
    outputs = [finish(p) for p in crawlers]
    finish(ingest)
    return outputs


def archive(db: Path) -> dict[str, set]:
    """What must be equal: articles (canonical URL, text hash, the copy they are of) and
    the URLs leading to each (tracking parameters aside: which tracking link of an article
    is met first depends on the order pages are fetched in)."""
    conn = sqlite3.connect(db)
    try:
        articles = conn.execute(
            "SELECT a.canonical_url, a.content_hash, o.canonical_url FROM articles a "
            "LEFT JOIN articles o ON o.id = a.duplicate_of"
        ).fetchall()
        urls = conn.execute(
            "SELECT u.url, a.canonical_url FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id"
        ).fetchall()
        (count,) = conn.execute("SELECT count(*) FROM articles").fetchone()
        (integrity,) = conn.execute("PRAGMA integrity_check").fetchone()
    finally:
        conn.close()
    assert count == len(articles) == len({a[0] for a in articles})  # none stored twice
    assert integrity == "ok"
    return {"articles": set(articles), "urls": {(normalize_url(u), c) for u, c in urls}}


def crawls(db: Path) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute("SELECT * FROM crawls ORDER BY id")]
    finally:
        conn.close()


def searched(db: Path) -> dict[str, set[str]]:
    """Each article's title, and its body's last ten words, as search queries: the
    canonical URLs the index finds."""
    conn = sqlite3.connect(db)
    try:
        texts = conn.execute("SELECT title, body FROM articles").fetchall()
        queries = {q for title, body in texts for q in (title, " ".join(body.split()[-10:]))}
        found = {
            query: {
                url
                for (url,) in conn.execute(
                    "SELECT a.canonical_url FROM articles_fts JOIN articles a "
                    "ON a.id = articles_fts.rowid WHERE articles_fts MATCH ?",
                    [fts_query(query)],
                )
            }
            for query in queries
        }
    finally:
        conn.close()
    assert all(found.values())
    return found


def not_articles(db: Path) -> set[tuple]:
    """The pages listed in crawl_errors as judged not articles, with why."""
    conn = sqlite3.connect(db)
    try:
        return set(
            conn.execute(
                "SELECT source, url, reason, words FROM crawl_errors WHERE kind = 'not_article'"
            )
        )
    finally:
        conn.close()


def test_three_nodes_and_a_writer_archive_what_one_process_does(
    site, single, redis_server, tmp_path
):
    config = write_config(tmp_path / "sources.toml", site.origins)
    db = tmp_path / "cluster.db"
    outputs = cluster_crawl(config, db, redis_server)
    assert archive(db) == archive(single)
    assert {a[0] for a in archive(db)["articles"]} == expected_urls(site.origins)
    rows = crawls(db)
    assert len(rows) == 3 and {r["status"] for r in rows} == {"finished"}
    assert len({r["node"] for r in rows}) == 3
    assert sum(r["articles_new"] for r in rows) == len(expected_urls(site.origins))
    # Every article a node sent is stored once: new, or an alias of another URL's text; a
    # copy of another source's article counts among both the new and the duplicates.
    conn = sqlite3.connect(db)
    copies = conn.execute("SELECT count(*) FROM articles WHERE duplicate_of IS NOT NULL").fetchone()
    conn.close()
    assert (
        sum(int(o.split(", ")[1].split()[0]) for o in outputs)
        == sum(r["articles_new"] + r["duplicates"] for r in rows) - copies[0]
    )
    # The search index too, though its terms were computed by the nodes' workers.
    assert searched(db) == searched(single)
    # The run is over: nothing is left queued or in flight, the dupefilter is cleared.
    left = {k.decode() for k in redis_server.client().keys("*")}
    assert not {k for k in left if k.split(":")[1] in ("requests", "dupefilter", "inflight")}

    # A second run learns from the writer what is archived: with no recheck window, no
    # article page is fetched again, as in a single-process crawl.
    before = len(site.requests)
    cluster_crawl(with_recheck_hours(config, 0), db, redis_server, nodes=2)
    paths = {(n, a["path"]) for n, s in demo.expected()["sources"].items() for a in s["articles"]}
    assert [r for r in site.requests[before:] if (r[0], r[1].split("?")[0]) in paths] == []
    # Inside the window they are rechecked with conditional requests: 304, nothing new.
    before = len(site.requests)
    cluster_crawl(config, db, redis_server, nodes=2)
    statuses = [status for _, _, status in site.requests[before:]]
    assert statuses.count(304) >= len(expected_urls(site.origins)) - 5
    assert archive(db) == archive(single)
    assert all(r["articles_new"] == 0 for r in crawls(db)[3:])


def test_a_node_killed_mid_crawl_loses_nothing(site, redis_server, tmp_path):
    """SIGKILL a node while it holds requests: the other node takes them over once its
    heartbeat expires, and the archive is whole, with no article twice."""
    config = subset_config(tmp_path / "sources.toml", site.origins, delay=0.05)
    db = tmp_path / "cluster.db"
    client = redis_server.client()
    victim = node(config, redis_server.url)
    inflight = f"newsarchive:inflight:{socket.gethostname()}:{victim.pid}"
    wait_for(lambda: client.hlen(inflight) >= 3)
    survivor = node(config, redis_server.url)
    survivor_alive = f"newsarchive:node:{socket.gethostname()}:{survivor.pid}"
    wait_for(lambda: client.exists(survivor_alive))
    ingest = writer(db, redis_server.url)
    wait_for(lambda: client.hlen(inflight) >= 3)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    finish(survivor)
    finish(ingest)
    complete(db, site.origins)
    statuses = sorted(r["status"] for r in crawls(db))
    assert statuses == ["finished", "interrupted"]


def test_the_writer_killed_mid_batch_then_restarted_loses_nothing(site, redis_server, tmp_path):
    config = subset_config(tmp_path / "sources.toml", site.origins)
    db = tmp_path / "cluster.db"
    client = redis_server.client()
    entries = crawl_taken_out(config, redis_server)
    for _, entry in entries[:8]:  # the node's start and a few articles: written at once
        client.xadd(STREAM, entry)
    first = writer(db, redis_server.url, "--batch-size", "3")
    wait_for(lambda: db.exists() and client.xlen(STREAM) == 0)
    # The archive locked by another connection: the writer reads its next batch and waits
    # inside its transaction, and is killed there, whatever its speed.
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    for _, entry in entries[8:]:
        client.xadd(STREAM, entry)
    wait_for(lambda: client.xpending(STREAM, "writers")["pending"] > 0)
    first.send_signal(signal.SIGKILL)
    first.wait()
    holder.rollback()
    holder.close()
    with sqlite3.connect(db) as conn:
        (written,) = conn.execute("SELECT count(*) FROM articles").fetchone()
    assert 0 < written < len(subset_urls(site.origins))
    finish(writer(db, redis_server.url))  # on this machine, it takes the dead one's lease
    complete(db, site.origins)
    (row,) = crawls(db)
    assert row["status"] == "finished"
    assert row["articles_new"] == len(subset_urls(site.origins))


def test_a_redelivered_entry_changes_nothing(site, redis_server, tmp_path):
    config = subset_config(tmp_path / "sources.toml", site.origins)
    db = tmp_path / "cluster.db"
    client = redis_server.client()
    finish(node(config, redis_server.url))
    # A copy of every entry, as if the writer had died after its commit, before its XACK.
    copies = [entry for _, entry in client.xrange(STREAM)]
    finish(writer(db, redis_server.url))
    before = archive(db), crawls(db)
    for entry in copies:
        client.xadd(STREAM, entry)
    finish(writer(db, redis_server.url))
    assert (archive(db), crawls(db)) == before
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM article_versions").fetchone() == (0,)


def test_entries_delivered_but_never_acknowledged_are_read_again(site, redis_server, tmp_path):
    """A Redis restart can swallow the reply to the writer's read: the entries are then
    delivered to it (pending) but never seen, and the client's retry reads on past them.
    The writer reads them again when the stream goes quiet, and `--until-idle` ends."""
    config = subset_config(tmp_path / "sources.toml", site.origins)
    db = tmp_path / "cluster.db"
    client = redis_server.client()
    entries = crawl_taken_out(config, redis_server)
    ingest = writer(db, redis_server.url)
    client.xadd(STREAM, entries[0][1])  # the node's start, written: the writer reads on
    wait_for(lambda: client.xlen(STREAM) == 0)
    for n, (_, entry) in enumerate(entries[1:]):
        pipe = client.pipeline(transaction=True)  # added and delivered at once, as one step
        pipe.xadd(STREAM, entry)
        if n % 3 == 0:  # delivered to the writer's consumer, the reply lost on the way
            pipe.xreadgroup("writers", "ingest", {STREAM: ">"}, count=1)
        pipe.execute()
    finish(ingest)
    complete(db, site.origins)
    assert client.xinfo_groups(STREAM)[0]["pending"] == 0


def test_redis_restarted_mid_crawl_the_crawl_resumes(site, redis_server, tmp_path):
    """Nodes and the writer retry while Redis restarts (its AOF keeps the queue), then go
    on: the archive is whole."""
    config = subset_config(tmp_path / "sources.toml", site.origins, delay=0.05)
    db = tmp_path / "cluster.db"
    crawlers = [node(config, redis_server.url) for _ in range(2)]
    wait_for(lambda: nodes_running(redis_server))
    ingest = writer(db, redis_server.url)
    wait_for(lambda: redis_server.client().hlen("newsarchive:known") >= 3)
    assert all(p.poll() is None for p in crawlers)  # mid-crawl
    redis_server.stop()
    time.sleep(1)
    redis_server.start()
    for process in crawlers:
        finish(process)
    finish(ingest)
    complete(db, site.origins)


@pytest.mark.parametrize(
    "url, reason",
    [("http://127.0.0.1:6379/0", "not a Redis URL"), ("redis://127.0.0.1:{port}/0", "unreachable")],
)
def test_bad_or_unreachable_redis_is_one_line_and_exit_2_before_any_fetch(
    site, tmp_path, url, reason
):
    config = write_config(tmp_path / "sources.toml", site.origins)
    url = url.format(port=free_port())
    before = len(site.requests)
    for args in (["crawl", "--config", str(config)], ["ingest", "--db", str(tmp_path / "a.db")]):
        result = run_cli(*args, "--redis", url, env=ENV)
        assert result.returncode == 2
        assert result.stderr.count("\n") == 1 and reason in result.stderr, result.stderr
    assert len(site.requests) == before
    assert not (tmp_path / "a.db").exists()


def test_one_writer_per_cluster_and_per_archive(site, redis_server, tmp_path):
    """A second ingest from the same Redis, or a crawl into the writer's archive: exit 3."""
    first = writer(tmp_path / "a.db", redis_server.url, "--batch-size", "200")
    wait_for(lambda: redis_server.client().exists("newsarchive:writer"))
    result = run_cli("ingest", "--db", str(tmp_path / "b.db"), "--redis", redis_server.url)
    assert result.returncode == 3 and "another ingest" in result.stderr, result.stderr
    config = write_config(tmp_path / "sources.toml", site.origins)
    result = run_cli("crawl", "--config", str(config), "--db", str(tmp_path / "a.db"))
    assert result.returncode == 3, result.stderr
    first.send_signal(signal.SIGINT)
    assert "0 articles written" in finish(first)


def ignoring_sigint() -> None:
    """SIGINT ignored, as a job that a script starts in the background inherits it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_writer_stops_on_sigint_or_sigterm_with_its_summary(
    signum, site, redis_server, tmp_path
):
    """Ctrl+C, or systemd's SIGTERM: the writer exits 0 within seconds with its summary,
    what it wrote stored and its lease released. SIGINT stops it even when it started with
    SIGINT ignored (it ran on for ever: the cluster test's writer, once)."""
    config = subset_config(tmp_path / "sources.toml", site.origins)
    db = tmp_path / "cluster.db"
    client = redis_server.client()
    finish(node(config, redis_server.url))
    first = newsarchive("ingest", "--db", str(db), "--redis", redis_server.url,
                        preexec_fn=ignoring_sigint)  # fmt: skip
    wait_for(lambda: db.exists() and client.xlen(STREAM) == 0)
    first.send_signal(signum)
    out = finish(first, timeout=30)
    assert f"ingest stopped: {len(subset_urls(site.origins))} articles written" in out
    assert not client.exists("newsarchive:writer")  # a new writer may start at once
    complete(db, site.origins)


class TimedDemo(demo.DemoServer):
    """The demo sites, noting when each request was answered."""

    def __init__(self) -> None:
        super().__init__()
        self.times: list[float] = []

    def record(self, site: str, path: str, status: int) -> None:
        self.times.append(time.monotonic())
        super().record(site, path, status)


def test_politeness_holds_for_the_cluster_not_per_node(redis_server, tmp_path):
    """Two nodes on one site with per_domain_concurrency 1 and a 0.5 s delay: the site
    gets one request per delay, not two (Scrapy alone keeps the delay per node)."""
    with TimedDemo() as server:
        text = demo.sources({"dailywire": server.origins["dailywire"]})
        # concurrency 2: a node takes two requests from the queue at a time, not all.
        politeness = "download_delay = 0.5\nper_domain_concurrency = 1\nconcurrency = 2"
        text = text.replace("download_delay = 0", politeness)
        text = text.replace("max_depth = 3", "max_depth = 0")  # the feed and its articles
        config = tmp_path / "sources.toml"
        config.write_text(text, encoding="utf-8")
        nodes = [newsarchive("crawl", "--config", str(config), "--redis", redis_server.url,
                             "--max-pages", "8") for _ in range(2)]  # fmt: skip
        for process in nodes:
            finish(process)
        times = sorted(server.times)
    assert len(times) >= 8
    # Answer times, not arrival times: one slow answer can bring two close, so the test
    # is on the rate over the run (two nodes on their own delays would make it ~0.25 s).
    assert (times[-1] - times[0]) / (len(times) - 1) >= 0.45


def test_pages_judged_not_articles_are_listed_as_in_a_single_process_crawl(
    site, redis_server, tmp_path
):
    """A body under NEWSARCHIVE_MIN_WORDS: the node sends the page, the writer keeps it and
    lists it in crawl_errors (kind not_article, reason, words), and the node's summary
    counts it, as a single-process crawl does."""
    config = subset_config(tmp_path / "sources.toml", site.origins)
    env = {**ENV, "NEWSARCHIVE_MIN_WORDS": "100"}  # the demo's bodies have 83-180 words
    result = run_cli("crawl", "--config", str(config), "--db", str(tmp_path / "a.db"), env=env)
    assert result.returncode == 0, result.stderr
    crawler = newsarchive("crawl", "--config", str(config), "--redis", redis_server.url, env=env)
    out = finish(crawler)
    finish(writer(tmp_path / "cluster.db", redis_server.url))
    expected = not_articles(tmp_path / "a.db")
    assert expected and not_articles(tmp_path / "cluster.db") == expected
    assert all(reason.startswith("body has") for _, _, reason, _ in expected)
    assert f"{len(expected)} pages judged not articles" in out
    assert archive(tmp_path / "cluster.db") == archive(tmp_path / "a.db")


def test_a_node_stops_cleanly_when_redis_stays_down(site, redis_server, tmp_path):
    """Redis stopped mid-crawl for longer than NEWSARCHIVE_REDIS_TIMEOUT: the node and the
    writer stop, each with one error line and exit 2. Once Redis is back, a restarted node
    and writer finish the crawl: nothing lost, nothing twice, and the stopped node's crawls
    row is closed as interrupted."""
    config = subset_config(tmp_path / "sources.toml", site.origins, delay=0.05)
    db = tmp_path / "cluster.db"
    env = {**ENV, "NEWSARCHIVE_REDIS_TIMEOUT": "3"}
    args = ["--config", str(config), "--redis", redis_server.url]
    crawler = newsarchive("crawl", *args, env=env)
    wait_for(lambda: nodes_running(redis_server))
    ingest = newsarchive("ingest", "--db", str(db), "--redis", redis_server.url, env=env)
    wait_for(lambda: redis_server.client().hlen("newsarchive:known") >= 3)
    assert crawler.poll() is None  # mid-crawl
    redis_server.stop()
    for process, says in ((crawler, "node stopped"), (ingest, "lost Redis")):
        _, err = process.communicate(timeout=60)
        assert process.returncode == 2, err
        assert err.count("\n") == 1 and says in err, err
    redis_server.start()  # its AOF kept the queue, the in-flight hashes and the stream
    finish(newsarchive("crawl", *args, env=env))
    finish(writer(db, redis_server.url))
    complete(db, site.origins)
    assert [r["status"] for r in crawls(db)] == ["interrupted", "finished"]
