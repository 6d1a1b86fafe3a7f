"""End to end: the real spider crawls the bundled demo sites over HTTP into a real archive."""

from __future__ import annotations

import asyncio
import http.server
import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import REPO, run_cli, seed_paragraphs

import demo
from scraper.serve.runner import make_datasette

EXPECTED = json.loads((REPO / "demo" / "expected.json").read_text(encoding="utf-8"))
SEED_PATH = (
    "/world/kazahstan-mozhet-nachat-proizvodstvo-bpla-bayraktar-ranshe-ukrainy-2023-12-05.html"
)


def write_config(path: Path, origins: dict[str, str], extra: str = "") -> Path:
    """The demo's sources.toml, without politeness delays (the server is ours)."""
    text = demo.sources(origins)
    if "[crawl]" not in text:
        text = "[crawl]\ndownload_delay = 0\n\n" + text
    path.write_text(text + extra, encoding="utf-8")
    return path


def with_recheck_hours(path: Path, hours: int) -> Path:
    text = path.read_text(encoding="utf-8").replace(
        "[[source]]\n", f"[[source]]\nrecheck_hours = {hours}\n"
    )
    out = path.with_name(f"recheck-{hours}.toml")
    out.write_text(text, encoding="utf-8")
    return out


def expected_urls(origins: dict[str, str]) -> set[str]:
    return {
        origins[name] + article["path"]
        for name, source in EXPECTED["sources"].items()
        for article in source["articles"]
    }


def rows(db_path: Path, sql: str, params=()) -> list[sqlite3.Row]:
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site():
    with demo.DemoServer() as server:
        yield server


@pytest.fixture(scope="module")
def crawled(site, tmp_path_factory):
    """One crawl of the demo sites; tests below read the archive it made."""
    tmp = tmp_path_factory.mktemp("crawl")
    config = write_config(tmp / "sources.toml", site.origins)
    db_path = tmp / "archive.db"
    started = len(site.requests)
    result = run_cli("crawl", "--config", str(config), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    return {"db": db_path, "config": config, "stdout": result.stdout, "requests": started}


def test_every_article_is_stored_once_under_its_canonical_url(site, crawled):
    stored = [r["canonical_url"] for r in rows(crawled["db"], "SELECT canonical_url FROM articles")]
    assert len(stored) == len(set(stored))
    assert set(stored) == expected_urls(site.origins)


def test_tracking_links_are_aliases_not_articles(crawled):
    canonical = [r[0] for r in rows(crawled["db"], "SELECT canonical_url FROM articles")]
    assert not [url for url in canonical if "utm_" in url or "fbclid" in url]
    aliases = [r[0] for r in rows(crawled["db"], "SELECT url FROM article_urls")]
    assert any("utm_source=" in url for url in aliases)


def test_redirected_urls_point_at_their_article(site, crawled):
    for name, source in EXPECTED["sources"].items():
        for old, new in source["redirects"].items():
            found = rows(
                crawled["db"],
                "SELECT a.canonical_url FROM article_urls u JOIN articles a "
                "ON a.id = u.article_id WHERE u.url = ?",
                [site.origins[name] + old],
            )
            assert [r[0] for r in found] == [site.origins[name] + new]


def test_no_page_that_is_not_an_article_is_stored(site, crawled):
    stored = {r[0] for r in rows(crawled["db"], "SELECT canonical_url FROM articles")}
    for name, source in EXPECTED["sources"].items():
        for path in source["non_articles"] + source["files"] + source["broken"]:
            assert site.origins[name] + path not in stored


def test_seed_article_keeps_its_seven_paragraphs_and_no_boilerplate(site, crawled, seed_expected):
    (row,) = rows(
        crawled["db"],
        "SELECT * FROM articles WHERE canonical_url = ?",
        [site.origins["novosti"] + SEED_PATH],
    )
    assert seed_paragraphs(row["body"]) == seed_expected["body_paragraphs"]
    for phrase in seed_expected["must_not_contain"]:
        assert phrase not in row["body"], phrase
    assert row["title"] == seed_expected["title"]


def test_every_demo_article_has_its_text_and_none_of_the_boilerplate(site, crawled):
    bodies = {
        r["canonical_url"]: (r["title"], r["body"])
        for r in rows(crawled["db"], "SELECT canonical_url, title, body FROM articles")
    }
    for name, source in EXPECTED["sources"].items():
        for article in source["articles"]:
            title, body = bodies[site.origins[name] + article["path"]]
            assert title == article["title"]
            for snippet in article["must"]:
                assert snippet in body, (article["path"], snippet)
            for snippet in article["must_not"] + source["boilerplate"]:
                assert snippet not in body, (article["path"], snippet)


def test_windows_1251_source_reads_correctly(site, crawled):
    stored = {
        r["canonical_url"]: r["title"]
        for r in rows(
            crawled["db"],
            "SELECT canonical_url, title FROM articles WHERE source = ?",
            ["vesti-ua"],
        )
    }
    articles = EXPECTED["sources"]["vesti-ua"]["articles"]
    assert len(stored) == len(articles)
    for article in articles:
        assert stored[site.origins["vesti-ua"] + article["path"]] == article["title"]
    assert any(set("іїєґ") & set(title) for title in stored.values())


def test_syndicated_copy_is_a_row_of_its_own(site, crawled):
    stored = {r[0] for r in rows(crawled["db"], "SELECT canonical_url FROM articles")}
    for pair in EXPECTED["syndicated"]:
        for side in ("original", "copy"):
            assert site.origins[pair[side]["source"]] + pair[side]["path"] in stored


def test_summary_and_crawls_row(crawled):
    (crawl,) = rows(crawled["db"], "SELECT * FROM crawls")
    assert crawl["status"] == "finished"
    articles = sum(len(s["articles"]) for s in EXPECTED["sources"].values())
    assert crawl["articles_new"] == articles
    assert crawl["errors"] >= len(EXPECTED["sources"])  # each site has a broken link
    assert f"{articles} articles new" in crawled["stdout"]
    broken = {r["kind"] for r in rows(crawled["db"], "SELECT kind FROM crawl_errors")}
    assert "http_404" in broken


def test_second_crawl_adds_nothing_and_fetches_only_discovery_pages(site, crawled):
    config = with_recheck_hours(crawled["config"], 0)
    before = len(site.requests)
    result = run_cli("crawl", "--config", str(config), "--db", str(crawled["db"]))
    assert result.returncode == 0, result.stderr
    crawls = rows(crawled["db"], "SELECT * FROM crawls ORDER BY id")
    assert len(crawls) == 2
    assert crawls[1]["articles_new"] == 0 and crawls[1]["articles_updated"] == 0
    assert len(rows(crawled["db"], "SELECT id FROM articles")) == len(expected_urls(site.origins))
    article_paths = {
        (name, a["path"]) for name, s in EXPECTED["sources"].items() for a in s["articles"]
    }
    fetched = [
        (s, p) for s, p, _ in site.requests[before:] if (s, p.split("?")[0]) in article_paths
    ]
    assert fetched == []


def test_young_articles_are_rechecked_with_conditional_requests(site, crawled):
    before = len(site.requests)
    result = run_cli("crawl", "--config", str(crawled["config"]), "--db", str(crawled["db"]))
    assert result.returncode == 0, result.stderr
    statuses = [status for _, _, status in site.requests[before:]]
    assert statuses.count(304) >= len(expected_urls(site.origins)) - 5
    (last,) = rows(crawled["db"], "SELECT * FROM crawls ORDER BY id DESC LIMIT 1")
    assert last["articles_new"] == 0 and last["articles_updated"] == 0


def scrapy_crawl(config: Path, db_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "NEWSARCHIVE_CONFIG": str(config), "NEWSARCHIVE_DB": str(db_path)}
    command = ["scrapy", "crawl", "news", "-s", "LOG_LEVEL=WARNING", "-s", "DOWNLOAD_DELAY=0"]
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_scrapy_crawl_news_uses_the_same_config(site, tmp_path):
    config = write_config(tmp_path / "sources.toml", site.origins)
    db_path = tmp_path / "via-scrapy.db"
    result = scrapy_crawl(config, db_path)
    assert result.returncode == 0, result.stderr
    stored = {r[0] for r in rows(db_path, "SELECT canonical_url FROM articles")}
    assert stored == expected_urls(site.origins)


def test_scrapy_crawl_news_sends_the_configured_user_agent(tmp_path):
    """[crawl] user_agent reaches the sites whichever way the crawl is started."""
    agents: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            agents.append(self.headers.get("User-Agent", ""))
            self.send_response(404)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    config = tmp_path / "sources.toml"
    config.write_text(
        f'[crawl]\nuser_agent = "DeskBot/2.0 (+mailto:desk@example.org)"\n\n'
        f'[[source]]\nname = "one"\nstart_urls = ["{origin}/"]\nlocal = true\n',
        encoding="utf-8",
    )
    try:
        scrapy_crawl(config, tmp_path / "archive.db")
        run_cli("crawl", "--config", str(config), "--db", str(tmp_path / "cli.db"))
    finally:
        server.shutdown()
    assert agents and set(agents) == {"DeskBot/2.0 (+mailto:desk@example.org)"}


def start_slow_crawl(config: Path, db_path: Path) -> subprocess.Popen:
    """A CLI crawl with half a second between requests, returned once it holds the lock."""
    slow = config.with_name("slow.toml")
    slow.write_text(config.read_text().replace("download_delay = 0", "download_delay = 0.5"))
    command = ["scraper.cli", "crawl", "--config", str(slow), "--db", str(db_path), "-q"]
    first = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lock = Path(f"{db_path}.lock")
    deadline = time.monotonic() + 60
    while not (lock.exists() and lock.read_text().startswith("pid")):
        assert time.monotonic() < deadline
        time.sleep(0.1)
    return first


def test_second_writer_exits_3_at_once(site, tmp_path):
    config = write_config(tmp_path / "sources.toml", site.origins)
    db_path = tmp_path / "archive.db"
    first = start_slow_crawl(config, db_path)
    try:
        started = time.monotonic()
        second = run_cli("crawl", "--config", str(config), "--db", str(db_path))
        assert second.returncode == 3
        assert "is being written by pid" in second.stderr
        assert time.monotonic() - started < 30
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    # The killed run's lock is gone with it: the next run takes the archive over.
    third = run_cli("crawl", "--config", str(config), "--db", str(db_path), "-q")
    assert third.returncode == 0, third.stderr
    assert {r[0] for r in rows(db_path, "SELECT canonical_url FROM articles")} == expected_urls(
        site.origins
    )
    assert rows(db_path, "PRAGMA integrity_check")[0][0] == "ok"


def test_scrapy_crawl_news_is_refused_while_the_cli_crawls(site, tmp_path):
    """`scrapy crawl news` takes the same lock: it neither interleaves its writes nor marks
    the running crawl interrupted."""
    config = write_config(tmp_path / "sources.toml", site.origins)
    db_path = tmp_path / "archive.db"
    first = start_slow_crawl(config, db_path)
    try:
        deadline = time.monotonic() + 60
        while not (db_path.exists() and rows(db_path, "SELECT id FROM crawls")):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        second = scrapy_crawl(config, db_path)
        assert second.returncode == 1
        # One line, not asyncio's "Task exception was never retrieved" and a traceback.
        assert second.stderr.strip().splitlines() == [
            f"Error: {db_path} is being written by pid {first.pid}; try again when it has finished"
        ]
        crawls = rows(db_path, "SELECT status FROM crawls")
        assert [row["status"] for row in crawls] == ["running"]  # the first one's, untouched
    finally:
        first.kill()
        first.wait()


def test_datasette_finds_the_seed_article_in_the_crawled_archive(site, crawled):
    datasette = make_datasette(crawled["db"])
    response = asyncio.run(
        datasette.client.get(
            f"/{crawled['db'].stem}/articles.json?_search=Jamestown&_shape=objects"
        )
    )
    assert response.status_code == 200
    urls = [row["canonical_url"] for row in response.json()["rows"]]
    assert urls == [site.origins["novosti"] + SEED_PATH]


def test_quiet_run_prints_one_line_and_logs_to_a_file(site, tmp_path):
    config = write_config(tmp_path / "sources.toml", site.origins)
    log = tmp_path / "crawl.log"
    result = run_cli(
        "crawl",
        "--config",
        str(config),
        "--db",
        str(tmp_path / "a.db"),
        "-q",
        "--log-file",
        str(log),
    )
    assert result.returncode == 0, result.stderr
    (line,) = result.stdout.splitlines()
    assert line.startswith("crawl 1 finished:") and "articles new" in line
    assert result.stderr == ""
    assert "Spider closed (finished)" in log.read_text(encoding="utf-8")


def test_since_backfills_only_recent_sitemap_entries(site, tmp_path):
    text = write_config(tmp_path / "all.toml", site.origins).read_text(encoding="utf-8")
    sitemaps_only = re.sub(r"(?m)^(start_urls|feeds) = .*$", r"\1 = []", text)
    config = tmp_path / "sitemaps.toml"
    config.write_text(sitemaps_only, encoding="utf-8")
    db_path = tmp_path / "since.db"
    result = run_cli(
        "crawl", "--config", str(config), "--db", str(db_path), "--since", "2023-12-10"
    )
    assert result.returncode == 0, result.stderr
    stored = {r[0] for r in rows(db_path, "SELECT canonical_url FROM articles")}
    recent = {
        site.origins[name] + a["path"]
        for name, s in EXPECTED["sources"].items()
        for a in s["articles"]
        if a["published"][:10] >= "2023-12-10"
    }
    assert stored == recent


def test_a_terminal_gets_a_progress_line(site, tmp_path):
    """On a terminal (a pseudo-terminal here) the crawl shows its progress as it goes."""
    import pty

    config = write_config(tmp_path / "sources.toml", site.origins)
    slow = tmp_path / "slow.toml"  # long enough for a few one-second updates
    slow.write_text(config.read_text().replace("download_delay = 0", "download_delay = 0.05"))
    command = [sys.executable, "-m", "scraper.cli", "crawl", "--config", str(slow)]
    command += ["--db", str(tmp_path / "a.db")]
    output = bytearray()

    def read(fd: int) -> bytes:
        data = os.read(fd, 1024)
        output.extend(data)
        return data

    previous = os.getcwd()
    os.chdir(REPO)
    try:
        status = pty.spawn(command, read)
    finally:
        os.chdir(previous)
    assert os.waitstatus_to_exitcode(status) == 0
    text = output.decode("utf-8", "replace")
    assert re.search(r"\r\d+ pages, \d+ articles, [\d.]+ pages/s, now \S+", text)
    assert "articles new" in text
