"""Cluster crawl throughput: 1, 2 and 3 crawl nodes plus the writer, through a real Redis.

    python benchmarks/distributed.py --pages 2000

Generates (once) benchmarks/crawl.py's site, serves it with nginx, starts Debian's
redis-server (AOF on) on a free loopback port, and:

1. for 1, 2 and 3 nodes: a cluster crawl of the whole site (`crawl --redis`, the nodes
   started together) with `ingest --until-idle` writing a fresh archive; pages/s and
   articles/s from the first node's start to the writer's exit;
2. the CPU per page of each role, from those runs: node crawler (the `crawl` process),
   node extraction (its forkserver and workers), writer (the `ingest` process);
3. the writer's ceiling: one node fills the stream with the writer stopped (the stream's
   bound raised above the site), then `ingest` alone drains it into a fresh archive;
   articles/s while writing, as the writer reports it;
4. how many nodes one writer serves: its ceiling over one node's article output, with the
   node on a machine of its own (its crawling process on one core, extraction on the
   others: --node-cores, default 4). A node's rate there is bounded by its crawler's CPU
   per page and by its extraction CPU per page spread over the other cores. The line that
   counts takes the writer's ceiling from CPU too (one article per its CPU per article, on
   a core of its own); the wall-clock one (the ceiling as timed here) is printed beside it.

The machine is shared and has 2 cores, so wall-clock rates with several nodes measure
contention, not the cluster: the per-page CPU costs (time.process_time-like, from psutil)
and the writer's ceiling are the figures that count. Needs nginx, redis-server, psutil.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.crawl import (  # noqa: E402
    POLL_SECONDS,
    free_port,
    prepare_site,
    role,
    start_nginx,
    tree,
    tree_cpu,
    write_config,
)


@dataclass
class Roles:
    crawler: float = 0.0  # CPU seconds
    extraction: float = 0.0
    writer: float = 0.0


def start_redis(folder: Path) -> tuple[subprocess.Popen, str]:
    server = shutil.which("redis-server") or "/usr/sbin/redis-server"
    if not Path(server).exists():
        sys.exit("redis-server not found: apt-get install redis-server")
    port = free_port()
    process = subprocess.Popen(
        [
            server,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--save",
            "",
        ],  # fmt: skip
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(["redis-cli", "-p", str(port), "ping"], check=True, capture_output=True)
            return process, url
        time.sleep(0.05)
    sys.exit("redis-server did not start")


def cli(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", *args],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def watch(processes: list[tuple[str, subprocess.Popen]]) -> Roles:
    """Wait for them all, adding up CPU by role (each tree read every POLL_SECONDS)."""
    cpu: dict[int, float] = {}
    kinds: dict[int, str] = {}
    seen: dict[int, psutil.Process] = {}
    while any(p.poll() is None for _, p in processes):
        for kind, proc in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                root = psutil.Process(proc.pid)
                for process in tree(root):
                    seen.setdefault(process.pid, process)
                    if kind == "writer":
                        kinds[process.pid] = "writer"
                    else:
                        is_crawler = role(process, root) == "crawler"
                        kinds[process.pid] = "crawler" if is_crawler else "extraction"
        tree_cpu(seen, cpu)
        time.sleep(POLL_SECONDS)
    roles = Roles()
    for pid, seconds in cpu.items():
        setattr(roles, kinds[pid], getattr(roles, kinds[pid]) + seconds)
    return roles


def flush(url: str) -> None:
    port = url.rsplit(":", 1)[1].split("/")[0]
    subprocess.run(["redis-cli", "-p", port, "flushall"], check=True, capture_output=True)


def cluster_run(nodes: int, config: Path, db: Path, url: str, pages: int, env: dict) -> dict:
    flush(url)
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    node_args = ["crawl", "--config", str(config), "--redis", url, "--max-pages", str(pages)]
    started = time.monotonic()
    crawlers = [("node", cli(*node_args, "--json", "-q", env=env)) for _ in range(nodes)]
    time.sleep(1.0)  # the writer's --until-idle waits for a first node anyway
    writer = ("writer", cli("ingest", "--db", str(db), "--redis", url, "--until-idle", env=env))
    roles = watch([*crawlers, writer])
    seconds = time.monotonic() - started
    summaries = [json.loads(p.stdout.read()) for _, p in crawlers]  # type: ignore[union-attr]
    fetched = sum(s["pages"] for s in summaries)
    articles = sum(s["sent"] for s in summaries)
    return {"nodes": nodes, "seconds": seconds, "pages": fetched, "articles": articles,
            "roles": roles}  # fmt: skip


def writer_ceiling(config: Path, db: Path, url: str, pages: int, env: dict) -> tuple[int, float]:
    """(articles, articles/s while writing) of `ingest` draining a stream filled beforehand."""
    flush(url)
    for stale in db.parent.glob(db.name + "*"):
        stale.unlink()
    fill = {**env, "NEWSARCHIVE_STREAM_MAX": str(pages * 2)}
    node = cli("crawl", "--config", str(config), "--redis", url, "--max-pages", str(pages),
               "--json", "-q", env=fill)  # fmt: skip
    node.wait()
    writer = cli("ingest", "--db", str(db), "--redis", url, "--until-idle", env=env)
    out = writer.communicate()[0]
    found = re.search(r"(\d+) articles written, ([\d.]+) s writing, ([\d.]+) s CPU", out)
    if not found:
        sys.exit(f"ingest said: {out!r}")
    articles, busy, cpu = int(found[1]), float(found[2]), float(found[3])
    return articles, articles / busy, cpu / articles


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=2000, help="article pages in the site")
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--node-cores", type=int, default=4, help="cores of a node's own machine")
    ap.add_argument("--workdir", type=Path, help="keep the site here (default: a temp folder)")
    args = ap.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="newsarchive-distributed-"))
    work.mkdir(parents=True, exist_ok=True)
    port = free_port()
    origin = f"http://127.0.0.1:{port}"
    site = work / "site"
    prepare_site(site, args.pages, origin)
    nginx = start_nginx(work / "nginx", site, port)
    (work / "redis").mkdir(exist_ok=True)
    redis_server, url = start_redis(work / "redis")
    config = work / "sources.toml"
    write_config(config, origin, args.concurrency)
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_AUTOTHROTTLE"] = "0"
    env["NEWSARCHIVE_EXTRACT_WORKERS"] = "1"
    print(
        f"site: {args.pages} articles at {origin}, {os.cpu_count()} cores, concurrency "
        f"{args.concurrency}, 1 extraction worker per node, load average "
        f"{os.getloadavg()[0]:.1f}, redis {url}"
    )
    runs = []
    try:
        for nodes in (1, 2, 3):
            run = cluster_run(nodes, config, work / "archive.db", url, args.pages, env)
            runs.append(run)
            r = run["roles"]
            print(
                f"== {nodes} node{'s' if nodes > 1 else ''} + writer: {run['pages']} pages, "
                f"{run['articles']} articles in {run['seconds']:.1f} s = "
                f"{run['pages'] / run['seconds']:.1f} pages/s, "
                f"{run['articles'] / run['seconds']:.1f} articles/s; CPU per page: crawler "
                f"{1000 * r.crawler / run['pages']:.2f} ms, extraction "
                f"{1000 * r.extraction / run['pages']:.2f} ms, writer "
                f"{1000 * r.writer / max(run['articles'], 1):.2f} ms per article"
            )
        articles, ceiling, writer_cpu = writer_ceiling(
            config, work / "ceiling.db", url, args.pages, env
        )
        print(
            f"== writer ceiling: {articles} articles from a pre-filled stream at "
            f"{ceiling:.0f} articles/s while writing ({1000 * writer_cpu:.2f} ms CPU/article)"
        )
    finally:
        redis_server.terminate()
        nginx.terminate()
        redis_server.wait(10)
        nginx.wait(10)
    # One node on a machine of its own: its crawler uses one core, extraction the rest.
    one = runs[0]
    crawler_ms = 1000 * one["roles"].crawler / one["pages"]
    extraction_ms = 1000 * one["roles"].extraction / one["pages"]
    per_article = one["articles"] / one["pages"]
    node_pages = min(1000 / crawler_ms, (args.node_cores - 1) * 1000 / extraction_ms)
    node_articles = node_pages * per_article
    print(
        f"== one node on {args.node_cores} cores of its own: {node_pages:.0f} pages/s "
        f"(crawler {1000 / crawler_ms:.0f}/s, extraction on {args.node_cores - 1} cores "
        f"{(args.node_cores - 1) * 1000 / extraction_ms:.0f}/s) = {node_articles:.0f} articles/s"
    )
    cpu_ceiling = 1 / writer_cpu  # articles/s on a core of its own
    measured = one["articles"] / one["seconds"]
    print(
        f"== nodes one writer serves, from CPU: its ceiling on a free core "
        f"{cpu_ceiling:.0f} articles/s (1 / {1000 * writer_cpu:.2f} ms) / one node on "
        f"{args.node_cores} cores {node_articles:.0f} articles/s = "
        f"{cpu_ceiling / node_articles:.1f} nodes (target >= 10)"
    )
    print(
        f"== nodes one writer serves, wall-clock (contended here): ceiling {ceiling:.0f} "
        f"articles/s / that node {node_articles:.0f} = {ceiling / node_articles:.1f}; "
        f"/ the 1-node run's {measured:.1f} articles/s = {ceiling / measured:.1f}"
    )
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
