"""The machine dies mid-crawl, the disk fills up, readers search while the crawl writes:
the archive stays whole, nothing is lost or doubled, and the next run carries on."""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import psutil
import pytest
from faultserver import REPO, CrawlRun, FaultServer, run_crawl_cli

from pipelines.archive import open_archive

SITE_ARTICLES = 150


def site_config(path: Path, site: FaultServer, timeout: int = 30) -> Path:
    """The good part of the fault server: an index, a feed, a sitemap, SITE_ARTICLES articles."""
    path.write_text(
        f"""
[crawl]
download_delay = 0
download_timeout = {timeout}
[[source]]
name = "site"
start_urls = ["{site.url("/news/")}"]
feeds = ["{site.url("/feed.xml")}"]
sitemaps = ["{site.url("/sitemap.xml")}"]
article_allow = ["/a/good-"]
max_depth = 0
local = true
""",
        encoding="utf-8",
    )
    return path


def check_consistent(db_path: Path) -> int:
    """Assert the archive is whole after whatever happened to its writer; return its size."""
    conn = sqlite3.connect(db_path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        # Every reference to an article (URLs, versions, ...) points at one that exists.
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        # No half-written article: a title always comes with its body and hash.
        half = conn.execute(
            "SELECT count(*) FROM articles WHERE title IS NULL OR body IS NULL OR body = '' "
            "OR content_hash IS NULL"
        ).fetchone()[0]
        assert half == 0
        # The full-text index matches the rows (raises if not).
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    finally:
        conn.close()


def crawl_rows(db_path: Path) -> list[tuple[int, str, str | None]]:
    """(id, status, finished) of every crawls row; none before the archive exists."""
    if not db_path.exists():
        return []
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT id, status, finished FROM crawls ORDER BY id").fetchall()
    finally:
        conn.close()


def archived(db_path: Path) -> dict[str, str]:
    conn = sqlite3.connect(db_path)
    try:
        return dict(conn.execute("SELECT canonical_url, body FROM articles"))
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site():
    # Pages that take a moment spread the writes over several batches.
    with FaultServer(good_articles=SITE_ARTICLES, page_delay=0.05) as server:
        yield server


@pytest.fixture(scope="module")
def reference(site, tmp_path_factory):
    """What an uninterrupted crawl archives, and how long it takes."""
    tmp = tmp_path_factory.mktemp("reference")
    run = run_crawl_cli(site_config(tmp / "sources.toml", site), tmp / "archive.db")
    assert run.returncode == 0, run.stderr[-2000:]
    articles = archived(tmp / "archive.db")
    assert len(articles) == SITE_ARTICLES
    return {"articles": articles, "seconds": run.seconds}


@pytest.mark.slow
def test_sigkill_at_random_moments_loses_and_doubles_nothing(site, reference, tmp_path):
    """Three rounds, each from an empty archive: SIGKILL runs at random moments until
    seven were killed, checking the archive after each, then one run to the end, which
    marks the crawls the killed runs left "running" as interrupted."""
    config = site_config(tmp_path / "sources.toml", site)
    rng = random.Random(20240917)
    kills: list[tuple[float, int]] = []  # (seconds in, articles archived after the kill)
    interrupted = 0  # crawls rows of killed runs
    for round_ in range(3):
        db = tmp_path / f"archive-{round_}.db"
        killed = 0
        while killed < 7:
            # From interpreter start-up, through fetching and extraction, to the last writes.
            moment = rng.uniform(0.3, reference["seconds"] * 0.9)
            run = run_crawl_cli(config, db, kill_after=moment)
            if run.returncode != -9:
                continue  # it finished first: not a kill
            killed += 1
            kills.append((moment, check_consistent(db) if db.exists() else 0))
        left_running = [id_ for id_, status, _ in crawl_rows(db) if status == "running"]
        final = run_crawl_cli(config, db)
        assert final.returncode == 0, final.stderr[-2000:]
        assert check_consistent(db) == SITE_ARTICLES
        assert archived(db) == reference["articles"]
        # No run is left "running"; a killed one's end is unknown, so it has none.
        rows = crawl_rows(db)
        assert rows[-1][1] == "finished"
        assert {status for _, status, _ in rows} <= {"finished", "interrupted"}
        assert all(finished is None for _, status, finished in rows if status == "interrupted")
        interrupted += sum(status == "interrupted" for _, status, _ in rows)
        # The final run says once which runs it found killed.
        said = [line for line in final.stderr.splitlines() if "marked interrupted" in line]
        assert len(said) == (1 if left_running else 0), final.stderr
        if left_running:
            assert f"crawl {', '.join(map(str, left_running))} never finished" in said[0]
    assert len(kills) == 21
    assert interrupted > 0
    print("SIGKILLs (seconds in: articles after):", ", ".join(f"{m:.1f}:{n}" for m, n in kills))
    # Kills landed before the first write and between batches, mid-archive.
    after = {n for _, n in kills}
    assert 0 in after and after - {0, SITE_ARTICLES}


def extraction_workers() -> list[psutil.Process]:
    """The extraction workers of the crawls this test runs: the processes that their
    multiprocessing fork server forked (the server itself is left alone). Processes that
    are gone or zombies (an earlier test's leftovers) are passed over."""
    workers = []
    for process in psutil.Process().children(recursive=True):
        try:
            if "forkserver" in " ".join(process.cmdline()) and "forkserver" not in " ".join(
                process.parent().cmdline()
            ):
                workers += [w for w in process.children() if w.status() != psutil.STATUS_ZOMBIE]
        except psutil.Error:
            continue
    return workers


def test_extraction_workers_killed_mid_crawl_are_replaced(tmp_path, monkeypatch):
    """SIGKILL every extraction worker a third of the way through (the OOM killer's way):
    the crawl replaces them, loses no article, says so, and still exits 0."""
    monkeypatch.setenv("NEWSARCHIVE_EXTRACT_WORKERS", "2")
    db = tmp_path / "archive.db"
    gate = threading.Event()  # the last article waits for it: the kills land mid-crawl
    with FaultServer(good_articles=SITE_ARTICLES, page_delay=0.05, gate=gate) as site:
        config = site_config(tmp_path / "sources.toml", site)
        runs: list[CrawlRun] = []
        crawl = threading.Thread(target=lambda: runs.append(run_crawl_cli(config, db, "--json")))
        crawl.start()
        try:
            deadline = time.monotonic() + 60
            while site.hits_under("/a/good-") < SITE_ARTICLES // 3 and time.monotonic() < deadline:
                time.sleep(0.05)
            killed = extraction_workers()
            for worker in killed:
                os.kill(worker.pid, signal.SIGKILL)
        finally:
            gate.set()
            crawl.join()
    run = runs[0]
    assert run.returncode == 0, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    assert len(killed) == 2
    assert json.loads(run.stdout)["extract_restarts"] == 2
    died = [line for line in run.stderr.splitlines() if "extraction worker died" in line]
    assert len(died) == 2, run.stderr[-3000:]
    # (a page lost says why in the crawl's warnings: a fetch error, a third death...)
    warnings = [line for line in run.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    assert check_consistent(db) == SITE_ARTICLES, "\n".join(warnings[-40:])


@contextmanager
def small_disk(path: Path, size_kb: int):
    """A directory where writes fail past `size_kb`: a tmpfs where mounting works (root),
    else the process's file size limit. Yields a function that frees space."""
    path.mkdir()
    mounted = (
        subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size_kb}k", "tmpfs", str(path)],
            capture_output=True,
        ).returncode
        == 0
    )
    limit = {"max_file_bytes": None if mounted else size_kb * 1024}

    def free_space() -> None:
        if mounted:
            subprocess.run(["mount", "-o", "remount,size=64m", str(path)], check=True)
        limit["max_file_bytes"] = None

    try:
        yield limit, free_space
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)


def error_line(run: CrawlRun) -> str:
    """The one line a run that failed on its archive ends with (exit status 2)."""
    assert run.returncode == 2, run.stderr[-2000:]
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    return run.stderr.strip().splitlines()[-1]


def test_disk_full_stops_with_a_clear_line_and_the_next_run_continues(site, reference, tmp_path):
    config = site_config(tmp_path / "sources.toml", site)
    with small_disk(tmp_path / "disk", 300) as (limit, free_space):
        db = tmp_path / "disk" / "archive.db"
        line = error_line(run_crawl_cli(config, db, **limit))
        assert line.startswith(f"Error: {db}: the crawl could not write to the archive")
        assert "free some space and run again" in line
        stored = check_consistent(db)
        assert stored < SITE_ARTICLES
        free_space()
        again = run_crawl_cli(config, db, **limit)
        assert again.returncode == 0, again.stderr[-2000:]
        assert check_consistent(db) == SITE_ARTICLES
        assert archived(db) == reference["articles"]


def test_a_disk_too_full_to_make_the_archive_leaves_no_file(site, reference, tmp_path):
    """A first run that cannot create the archive says so and leaves nothing a reader
    would open (nor a half-built file beside it); the next run makes it whole."""
    config = site_config(tmp_path / "sources.toml", site)
    with small_disk(tmp_path / "disk", 48) as (limit, free_space):
        db = tmp_path / "disk" / "archive.db"
        line = error_line(run_crawl_cli(config, db, **limit))
        assert line.startswith(f"Error: {db}: could not create the archive")
        assert sorted(p.name for p in db.parent.iterdir()) == ["archive.db.lock"]
        free_space()
        again = run_crawl_cli(config, db, **limit)
        assert again.returncode == 0, again.stderr[-2000:]
        assert archived(db) == reference["articles"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def search(client: httpx.Client, tickets: Iterator[int], failures: list) -> None:
    """Search the archive through Datasette, once per ticket (threads share the tickets)."""
    words = ("council", "river", "harbour", "story")
    for i in tickets:
        response = client.get("/archive/articles.json", params={"_search": words[i % 4]})
        if response.status_code != 200 or "locked" in response.text:
            failures.append((response.status_code, response.text[:200]))


def test_datasette_searches_while_a_crawl_writes(tmp_path):
    db = tmp_path / "archive.db"
    open_archive(db).close()
    port = free_port()
    serve = subprocess.Popen(
        [sys.executable, "-m", "scraper.cli", "serve", "--db", str(db), "--port", str(port)],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Slow article pages stretch the crawl's batched writes over the searches, and the last
    # article keeps the crawl running until every search is done.
    gate = threading.Event()
    with FaultServer(good_articles=SITE_ARTICLES, page_delay=0.1, gate=gate) as site:
        try:
            client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
            for _ in range(100):  # wait for it to listen
                try:
                    client.get("/-/versions.json")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            config = site_config(tmp_path / "sources.toml", site, timeout=150)
            runs: list = []
            crawl_started = time.monotonic()
            crawl = threading.Thread(
                target=lambda: runs.append(run_crawl_cli(config, db, timeout=180))
            )
            crawl.start()
            tickets, failures = iter(range(1000)), []
            searchers = [
                threading.Thread(target=search, args=(client, tickets, failures)) for _ in range(4)
            ]
            for searcher in searchers:
                searcher.start()
            for searcher in searchers:
                searcher.join()
            searches_done = time.monotonic()
            crawl_was_running = crawl.is_alive()
            gate.set()
            crawl.join()
        finally:
            serve.terminate()
            _, errors = serve.communicate(timeout=10)
    run = runs[0]
    assert run.returncode == 0, run.stderr[-2000:]
    assert failures == []
    assert "locked" not in errors
    # All 1000 searches ran while the crawl was fetching and writing.
    assert crawl_was_running
    assert check_consistent(db) == SITE_ARTICLES
    print(f"1000 searches in {searches_done - crawl_started:.1f} s of a {run.seconds:.1f} s crawl")
