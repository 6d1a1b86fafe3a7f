"""A crawl of sources that mix good pages with every fault of the hostile web.

It must finish in bounded time, archive every good article and nothing else, record each
failure by URL and kind, keep its memory bounded and exit with the documented status.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import ExitStack
from pathlib import Path

import pytest
from faultserver import (
    FAULT_PATHS,
    FEED_FAULT_PATHS,
    FEED_ONLY_PATH,
    HARD_GOOD_PATHS,
    KILL_HOOK,
    ODD_FEED_PATH,
    RU_PARAGRAPHS,
    RU_PARAGRAPHS_KOI8,
    RU_TITLE,
    RU_TITLE_KOI8,
    SITEMAP_FAULT_PATHS,
    FaultServer,
    good_title,
    run_crawl_cli,
)

GOOD = 10


def write_config(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Four origins: the hostile site, robots.txt answering 500, robots.txt taking 60 s,
    and "another domain" the hostile site redirects to. One crawl over all of them."""
    tmp = tmp_path_factory.mktemp("hostile")
    with ExitStack() as stack:
        elsewhere = stack.enter_context(FaultServer())
        main = stack.enter_context(FaultServer(good_articles=GOOD, elsewhere=elsewhere.origin))
        robots_500 = stack.enter_context(FaultServer(robots="500"))
        robots_slow = stack.enter_context(FaultServer(robots="slow"))
        config = write_config(
            tmp / "sources.toml",
            f"""
[crawl]
download_timeout = 2
download_delay = 0
per_domain_concurrency = 8

[[source]]
name = "hostile"
start_urls = ["{main.url("/news/")}"]
feeds = {json.dumps([main.url(p) for p in ["/feed.xml", ODD_FEED_PATH, *FEED_FAULT_PATHS]])}
sitemaps = {json.dumps([main.url(p) for p in ["/sitemap.xml", *SITEMAP_FAULT_PATHS]])}
article_allow = ["/a/"]
local = true

[[source]]
name = "flood"
sitemaps = ["{main.url("/sitemap-100k.xml")}"]
local = true

[[source]]
name = "robots-500"
start_urls = ["{robots_500.url("/news/")}"]
local = true

[[source]]
name = "robots-slow"
start_urls = ["{robots_slow.url("/news/")}"]
local = true
""",
        )
        db = tmp / "archive.db"
        # --max-pages keeps the 100,000-URL sitemap to 40 fetches here; the default cap has
        # its own test below. One extraction worker (the default on two cores) whatever the
        # machine, so that the memory budget is the same everywhere: each further worker
        # adds about 120 MB RSS (50 MB PSS, as it shares the language model). The kill hook
        # makes the worker die on the pages that ask for it.
        with pytest.MonkeyPatch.context() as env:
            env.setenv("NEWSARCHIVE_EXTRACT_WORKERS", "1")
            env.setenv("PYTHONPATH", str(KILL_HOOK))
            env.setenv("NEWSARCHIVE_TEST_KILLED", str(tmp))
            run = run_crawl_cli(config, db, "--max-pages", "40", "--json", timeout=120)
        yield {
            "run": run,
            "db": db,
            "main": main,
            "elsewhere": elsewhere,
            "robots_500": robots_500,
            "robots_slow": robots_slow,
        }


def rows(db: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_finishes_in_bounded_time_with_the_documented_status(hostile):
    run = hostile["run"]
    # Two sources are unreachable (their robots.txt cannot be read): exit 1, as documented.
    assert run.returncode == 1, run.stderr[-2000:]
    assert run.seconds < 90
    summary = json.loads(run.stdout)
    assert summary["status"] == "failed"
    by_source = {row["source"]: row["status"] for row in summary["sources"]}
    assert by_source == {
        "hostile": "ok",
        "flood": "ok",
        "robots-500": "failed",
        "robots-slow": "failed",
    }


def test_an_unreadable_robots_txt_is_one_line_on_stderr(hostile):
    stderr = hostile["run"].stderr
    assert "Traceback" not in stderr
    for name in ("robots_500", "robots_slow"):
        netloc = hostile[name].origin.removeprefix("http://")
        lines = [line for line in stderr.splitlines() if netloc in line]
        assert len(lines) == 1, stderr
        assert f"robots.txt of {netloc} unreadable" in lines[0]
        assert "disallowing the whole site, as RFC 9309 asks" in lines[0]


def test_no_traceback_reaches_stderr(hostile):
    """Every fault of the site is recorded under its kind; none ends in a traceback on
    stderr (which cron mails), whether from a parse, an item pipeline or Scrapy itself."""
    stderr = hostile["run"].stderr
    for sign in ("Traceback", "Spider error processing", "Error processing", "Error downloading"):
        assert sign not in stderr, stderr[-3000:]


def test_a_lost_extraction_worker_is_replaced_and_said_so(hostile):
    """A worker killed on a page (as by the OOM killer) is replaced and the page tried
    again: one page kills its worker once and is archived all the same (see the good
    articles), the other kills it twice and is skipped as extract_crashed. Each death is
    one line on stderr, and the summary counts the restarts."""
    main = hostile["main"]
    run = hostile["run"]
    assert json.loads(run.stdout)["extract_restarts"] == 3
    died = [line for line in run.stderr.splitlines() if "extraction worker died" in line]
    assert len(died) == 3, run.stderr[-3000:]
    assert sum(main.url("/a/kills-worker.html") in line for line in died) == 2
    assert sum(main.url("/a/kills-once.html") in line for line in died) == 1
    # Each was fetched once: the retry reuses the fetched page.
    assert main.hits["/a/kills-worker.html"] == main.hits["/a/kills-once.html"] == 1


def test_peak_memory_stays_under_400_mb(hostile):
    """The whole crawl (crawler, extraction worker, forkserver, resource tracker) stays under
    400 MB resident, summed over its processes: pages they share count once per process."""
    run = hostile["run"]
    print(f"peak RSS: largest process {run.peak_rss_mb:.0f} MB, tree {run.peak_tree_mb:.0f} MB")
    assert 0 < run.peak_rss_mb <= run.peak_tree_mb < 400


def test_every_good_article_is_stored_and_nothing_else(hostile):
    main = hostile["main"]
    archived = dict(rows(hostile["db"], "SELECT url, title FROM articles"))
    expected = {main.url(f"/a/good-{i}.html") for i in range(GOOD)}
    expected |= {main.url(path) for path in [*HARD_GOOD_PATHS, FEED_ONLY_PATH]}
    assert set(archived) == expected
    assert {archived[main.url(f"/a/good-{i}.html")] for i in range(GOOD)} == {
        good_title(i) for i in range(GOOD)
    }


def test_pages_with_no_declared_charset_decode_right(hostile):
    main = hostile["main"]
    conn = sqlite3.connect(hostile["db"])
    for path, title, paragraphs in [
        ("/a/cp1251.html", RU_TITLE, RU_PARAGRAPHS),
        ("/a/koi8r.html", RU_TITLE_KOI8, RU_PARAGRAPHS_KOI8),
    ]:
        stored_title, body = conn.execute(
            "SELECT title, body FROM articles WHERE url = ?", [main.url(path)]
        ).fetchone()
        assert stored_title == title
        assert paragraphs[0] in body
    conn.close()


def test_each_fault_is_recorded_by_url_and_kind(hostile):
    main = hostile["main"]
    summary = json.loads(hostile["run"].stdout)
    recorded = {(f["source"], f["url"]): f["kind"] for f in summary["failures"]}
    for path, kind in FAULT_PATHS.items():
        assert recorded.get(("hostile", main.url(path))) == kind, path
    for path, kind in {**FEED_FAULT_PATHS, **SITEMAP_FAULT_PATHS}.items():
        assert recorded.get(("hostile", main.url(path))) == kind, path
    assert recorded[("hostile", main.url("/private/secret.html"))] == "robots_forbidden"
    for name in ("robots_500", "robots_slow"):
        source = name.replace("_", "-")
        assert recorded[(source, hostile[name].url("/news/"))] == "robots_unavailable"
    # The same failures are in the archive's crawl_errors, counted once per URL and kind.
    table = rows(
        hostile["db"],
        "SELECT source, url, kind, count FROM crawl_errors WHERE kind != 'not_article'",
    )
    assert {(s, u): k for s, u, k, _ in table} == recorded
    assert all(count == 1 for *_, count in table)
    assert summary["errors"] == len(table)
    # Pages judged not articles are listed too, apart from the failed requests.
    judged = rows(hostile["db"], "SELECT source, url FROM crawl_errors WHERE kind = 'not_article'")
    assert set(judged) == {(n["source"], n["url"]) for n in summary["not_articles"]}


def test_hostile_pages_cost_bounded_requests(hostile):
    main = hostile["main"]
    # Retries are bounded (RETRY_TIMES = 2), a 429 asking for an hour is not retried.
    assert main.hits["/a/never.html"] == 3
    assert main.hits["/a/busy.html"] == 1
    # The redirect chain stops at REDIRECT_MAX_TIMES; the loop is caught on its way back.
    assert main.hits_under("/a/chain-") == 11
    assert main.hits["/a/loop.html"] == 1
    # The calendar trap stops at max_depth (2): the first day and the next.
    assert main.hits_under("/calendar/") <= 3
    # The flood source fetched --max-pages pages of its 100,000.
    assert main.hits_under("/flood/") == 40
    # Nothing was fetched from the other domain, nor from the robots-less origins.
    assert hostile["elsewhere"].hits == {}
    assert set(hostile["robots_500"].hits) == {"/robots.txt"}
    assert set(hostile["robots_slow"].hits) == {"/robots.txt"}


@pytest.mark.slow
def test_a_sitemap_of_100000_urls_is_capped_per_run(tmp_path):
    with FaultServer(sitemap_size=100_000) as site:
        config = write_config(
            tmp_path / "sources.toml",
            f"""
[crawl]
download_delay = 0
[[source]]
name = "flood"
sitemaps = ["{site.url("/sitemap-100k.xml")}"]
local = true
""",
        )
        run = run_crawl_cli(config, tmp_path / "archive.db", timeout=300)
        assert run.returncode == 0, run.stderr[-2000:]
        # The default cap (NEWSARCHIVE_MAX_ARTICLES), said once on stderr.
        assert site.hits_under("/flood/") == 1000
        assert "1000 article requests this run, the cap" in run.stderr
        assert run.peak_rss_mb < 400
        print(
            f"100,000-URL sitemap: {run.seconds:.1f} s, peak RSS {run.peak_rss_mb:.0f} MB "
            f"(tree {run.peak_tree_mb:.0f} MB)"
        )
