"""The parallel extraction path stores exactly what the one-process path stores.

The same generated site, served over real HTTP on 127.0.0.1, is crawled twice through the
CLI: once with extraction inline (NEWSARCHIVE_EXTRACT_WORKERS=0) and once in a pool of two
worker processes. Every stored column is compared, except timestamps and row ids (ids
follow the order in which pages finish, which the pool is free to change).
"""

from __future__ import annotations

import functools
import os
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from benchmarks import sitegen
from tests.conftest import REPO, run_cli

ARTICLES = 60
# Columns that differ between two crawls of the same site whatever the extraction path.
TIMESTAMPS = {
    "id",
    "first_seen",
    "last_seen",
    "fetched_at",
    "crawl_id",
    "started",
    "finished",
    "seconds",
}


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A generated site of ARTICLES pages served on 127.0.0.1; yields its origin."""
    root = tmp_path_factory.mktemp("site")
    handler = functools.partial(QuietHandler, directory=str(root))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    sitegen.generate(root, ARTICLES, origin=origin, republish_every=20)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield origin
    server.shutdown()
    server.server_close()


def crawl(origin: str, folder: Path, workers: int, **env_vars: str) -> Path:
    folder.mkdir()
    config = folder / "sources.toml"
    config.write_text(
        f"""
[[source]]
name = "harbor"
start_urls = ["{origin}/"]
sitemaps = ["{origin}/sitemap.xml"]
article_allow = ["/news/"]
local = true

[crawl]
download_delay = 0
concurrency = 16
per_domain_concurrency = 16
""",
        encoding="utf-8",
    )
    db = folder / "archive.db"
    env = {**os.environ, "NEWSARCHIVE_EXTRACT_WORKERS": str(workers), **env_vars}
    done = run_cli("crawl", "--config", str(config), "--db", str(db), "-q", env=env)
    assert done.returncode == 0, done.stderr
    return db


def table(db: Path, sql: str) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        rows = [
            {k: v for k, v in dict(row).items() if k not in TIMESTAMPS} for row in conn.execute(sql)
        ]
    finally:
        conn.close()
    return rows


def archive(db: Path) -> dict[str, list]:
    """The stored archive, in an order that does not depend on which page finished first.

    Articles are keyed by their text's hash: of a page and its republished copy, the one
    that reaches the store first becomes the article and the other its alias, and that
    order is the network's, not the extractor's. So URLs are compared as groups.
    """
    groups: dict[str, list[str]] = {}
    for row in table(
        db,
        "SELECT u.url, a.content_hash FROM article_urls u "
        "JOIN articles a ON a.id = u.article_id ORDER BY u.url",
    ):
        groups.setdefault(row["content_hash"], []).append(row["url"])
    # Copies point at their original by row id, which is arrival order: compare by text.
    articles = table(
        db,
        "SELECT a.*, o.content_hash AS duplicate_of FROM articles a "
        "LEFT JOIN articles o ON o.id = a.duplicate_of ORDER BY a.content_hash",
    )
    for article in articles:
        urls = groups[article["content_hash"]]
        assert article.pop("canonical_url") in urls
        assert article.pop("url") in urls
        if len(urls) > 1:  # the page that arrived first, with its own HTML and headers
            for column in ("raw_hash", "etag", "http_last_modified"):
                article.pop(column)
    return {
        "articles": articles,
        "url_groups": sorted(groups.values()),
        "search": table(
            db,
            "SELECT a.content_hash FROM articles_fts JOIN articles a ON a.id = articles_fts.rowid "
            "WHERE articles_fts MATCH 'council OR аренда OR оренда' ORDER BY a.content_hash",
        ),
        "crawls": table(db, "SELECT * FROM crawls"),
        "crawl_sources": table(db, "SELECT * FROM crawl_sources"),
    }


def test_pool_stores_the_same_bytes_as_one_process(site: str, tmp_path: Path) -> None:
    serial = archive(crawl(site, tmp_path / "serial", workers=0))
    parallel = archive(crawl(site, tmp_path / "parallel", workers=2))

    articles = serial["articles"]
    republished = ARTICLES // 20
    assert len(articles) == ARTICLES - republished
    assert serial["crawls"][0]["duplicates"] == republished
    assert sum(len(urls) == 2 for urls in serial["url_groups"]) == republished
    assert {a["language"] for a in articles} == {"en", "ru", "uk"}
    assert all(a["title"] and a["published"] and len(a["body"]) > 3000 for a in articles)
    assert serial["search"]

    for name, rows in serial.items():
        assert parallel[name] == rows, f"{name} differs between inline and 2 workers"
    # One worker (the default on two cores) loads the extractor itself: no preloading server.
    single = archive(crawl(site, tmp_path / "single", workers=1))
    for name, rows in serial.items():
        assert single[name] == rows, f"{name} differs between inline and 1 worker"


def test_a_worker_does_not_load_what_only_the_crawler_needs() -> None:
    """A worker imports the main module again (multiprocessing re-runs it in each worker)
    and the module its tasks name: neither may bring Scrapy or the archive's dedupe and
    search (pymorphy3's dictionaries), which cost every worker over 80 MB."""
    code = (
        "import sys, scraper.cli, scraper.extract.worker; "
        "heavy = {'scrapy', 'twisted', 'scipy', 'pymorphy3'}; "
        "print(sorted(heavy & set(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True
    )
    assert done.stdout.strip() == "[]"


def test_discarding_pages_fetches_everything_and_stores_nothing(site: str, tmp_path: Path) -> None:
    """The crawl benchmark's baseline: the same fetching and discovery, no extraction."""
    db = crawl(site, tmp_path / "discard", workers=2, NEWSARCHIVE_DISCARD_PAGES="1")
    crawls = table(db, "SELECT * FROM crawls")
    assert crawls[0]["status"] == "finished"
    assert crawls[0]["pages"] >= ARTICLES
    assert table(db, "SELECT * FROM articles") == []
