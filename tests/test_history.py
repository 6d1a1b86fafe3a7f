"""Article history through real crawls: two small news sites served on 127.0.0.1, crawled
by `newsarchive crawl` in a subprocess, edited between crawls, one syndicating the other."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import REPO, TESTS, run_cli

from pipelines.textsearch import register_functions

STORIES = {
    s["id"]: s
    for s in json.loads((TESTS / "fixtures" / "dedupe" / "stories.json").read_text("utf-8"))
}


class Site:
    """A news site whose pages the test can change between crawls."""

    def __init__(self, delay: float = 0) -> None:
        self.pages: dict[str, bytes] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                time.sleep(delay)
                body = site.pages.get(self.path.split("?")[0])
                self.send_response(200 if body else 404)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.end_headers()
                self.wfile.write(body or b"not here")

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def article(
        self, path: str, title: str, paragraphs: list[str], published: str = "2024-03-01T10:00"
    ) -> None:
        text = "".join(f"<p>{p}</p>" for p in paragraphs)
        link = f'<link rel="canonical" href="{self.origin}{path}">'
        self.pages[path] = (
            f'<html lang="ru"><head><meta charset="utf-8"><title>{title}</title>{link}'
            f'<meta property="article:published_time" content="{published}:00+03:00">'
            f"</head><body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{text}"
            "</article><footer>© Test site</footer></body></html>"
        ).encode()

    def index(self, links: list[str]) -> None:
        anchors = "".join(f'<li><a href="{link}">{link}</a></li>' for link in links)
        self.pages["/"] = f"<html><body><ul>{anchors}</ul></body></html>".encode()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def config(tmp_path: Path, *sites: tuple[str, Site], keep_raw: bool = True) -> str:
    text = (
        "[crawl]\ndownload_delay = 0\nconcurrency = 32\nper_domain_concurrency = 16\n"
        f'tracking_params = ["ref_*"]\nkeep_raw = {str(keep_raw).lower()}\n'
    )
    for name, site in sites:
        text += (
            f'[[source]]\nname = "{name}"\nstart_urls = ["{site.origin}/"]\n'
            'article_allow = ["/news/", "/print/"]\nlocal = true\n'
        )
    path = tmp_path / f"sources-{keep_raw}.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


def crawl(config_path: str, db_path: Path) -> str:
    result = run_cli("crawl", "--config", config_path, "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    return result.stdout


def rows(db_path: Path, sql: str, *params: object) -> list[tuple]:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def sites():
    herald, echo = Site(), Site()
    a1, a2, a3, a4 = (STORIES[k] for k in ("ru-fire-a", "ru-metro-a", "ru-bank-a", "ru-frost-a"))
    herald.article("/news/1.html", a1["title"], a1["paragraphs"])
    herald.article("/news/2.html", a2["title"], a2["paragraphs"])
    # The print version of article 2: same text under its own canonical URL.
    herald.article("/print/2.html", a2["title"], a2["paragraphs"])
    herald.article("/news/3.html", a3["title"], a3["paragraphs"])
    herald.index(["/news/1.html?utm_source=tg&ref_feed=main", "/news/2.html", "/print/2.html",
                  "/news/3.html"])  # fmt: skip
    # Echo republishes article 1 under its own headline, with its own boilerplate.
    echo.article(
        "/news/copy.html",
        "СРОЧНО: крупный пожар на складе",
        ["Фото: ТАСС", *a1["paragraphs"][:3], "Читайте также: главные новости дня."],
        published="2024-03-01T12:30",
    )
    echo.index(["/news/copy.html"])
    yield herald, echo, a4
    herald.close()
    echo.close()


def test_identity_aliases_copies_and_raw_pages(tmp_path, sites):
    herald, echo, _ = sites
    db = tmp_path / "archive.db"
    crawl(config(tmp_path, ("herald", herald), ("echo", echo)), db)

    articles = dict(rows(db, "SELECT canonical_url, id FROM articles"))
    # Tracking parameters (built in and the config's ref_*) are not part of the key; the
    # print page is an alias of article 2 (whichever of the two was fetched first).
    (article_2,) = {f"{herald.origin}/news/2.html", f"{herald.origin}/print/2.html"} & set(articles)
    assert set(articles) == {
        f"{herald.origin}/news/1.html",
        article_2,
        f"{herald.origin}/news/3.html",
        f"{echo.origin}/news/copy.html",
    }
    aliases = rows(db, "SELECT url FROM article_urls WHERE article_id = ?", articles[article_2])
    assert {u for (u,) in aliases} == {
        f"{herald.origin}/news/2.html",
        f"{herald.origin}/print/2.html",
    }
    # The syndicated copy is its own article, pointing at the original (published
    # earlier, whichever was fetched first).
    copy_of = rows(db, "SELECT duplicate_of FROM articles WHERE source = 'echo'")
    assert copy_of == [(articles[f"{herald.origin}/news/1.html"],)]
    assert rows(db, "SELECT count(*) FROM articles WHERE duplicate_of IS NULL") == [(3,)]
    # Every article page is kept raw, compressed, byte for byte.
    (raw, status, headers) = rows(
        db, "SELECT raw, status, headers FROM pages WHERE url = ?", f"{herald.origin}/news/3.html"
    )[0]
    assert zlib.decompress(raw) == herald.pages["/news/3.html"]
    assert status == 200 and "text/html" in json.loads(headers)["Content-Type"]
    assert rows(db, "SELECT count(*) FROM pages") == [(5,)]


def test_edit_between_crawls_is_a_version(tmp_path, sites):
    herald, echo, new_story = sites
    db = tmp_path / "archive.db"
    config_path = config(tmp_path, ("herald", herald))
    crawl(config_path, db)
    first_seen = dict(rows(db, "SELECT canonical_url, last_seen FROM articles"))

    a1 = STORIES["ru-fire-a"]
    edited = [*a1["paragraphs"][:2], "По уточнённым данным, пострадал один сотрудник склада."]
    herald.article("/news/1.html", a1["title"], edited)
    # Only markup and whitespace change on article 3: not an edit.
    herald.pages["/news/3.html"] = herald.pages["/news/3.html"].replace(b"<p>", b"<p>\n  ")
    herald.article("/news/4.html", new_story["title"], new_story["paragraphs"])
    herald.index(["/news/1.html", "/news/2.html", "/news/3.html", "/news/4.html"])
    time.sleep(1.1)  # last_seen has one-second resolution
    out = crawl(config_path, db)
    assert "1 new, 1 updated" in out

    by_url = {
        r[0]: r[1:]
        for r in rows(db, "SELECT canonical_url, version, body, last_seen FROM articles")
    }
    version, body, _ = by_url[f"{herald.origin}/news/1.html"]
    assert version == 2 and "пострадал один сотрудник" in body
    ((old_version, old_body),) = rows(db, "SELECT version, body FROM article_versions")
    assert old_version == 1 and old_body == "\n\n".join(a1["paragraphs"])
    version, _, last_seen = by_url[f"{herald.origin}/news/3.html"]
    assert version == 1 and last_seen > first_seen[f"{herald.origin}/news/3.html"]
    ((title, edited_at),) = rows(db, "SELECT title, edited_at FROM edited_articles")
    assert title == a1["title"] and edited_at > "2024-03-01"


def test_extractor_changes_are_not_versions(tmp_path, sites):
    herald, echo, _ = sites
    db = tmp_path / "archive.db"
    config_path = config(tmp_path, ("herald", herald))
    crawl(config_path, db)
    url = f"{herald.origin}/news/3.html"
    (expected,) = rows(db, "SELECT body FROM articles WHERE canonical_url = ?", url)[0]

    # What an older extractor might have left: boilerplate in the text.
    def old_extractor() -> None:
        with sqlite3.connect(db) as conn:
            register_functions(conn)  # the search index triggers call them
            conn.execute(
                "UPDATE articles SET body = body || '\n\nHome © Test site', content_hash = 'x' "
                "WHERE canonical_url = ?",
                [url],
            )

    old_extractor()
    result = run_cli("reprocess", "--db", str(db), "--source", "herald")
    assert result.returncode == 0, result.stderr
    assert "1 changed, 2 unchanged" in result.stdout
    assert rows(db, "SELECT body, version FROM articles WHERE canonical_url = ?", url) == [
        (expected, 1)
    ]
    # A recrawl of the same pages with a changed extractor updates in place, too.
    old_extractor()
    crawl(config_path, db)
    assert rows(db, "SELECT body, version FROM articles WHERE canonical_url = ?", url) == [
        (expected, 1)
    ]
    assert rows(db, "SELECT count(*) FROM article_versions") == [(0,)]


def test_page_judged_not_an_article_is_recorded_kept_and_recovered_by_reprocess(tmp_path, sites):
    herald, echo, _ = sites
    db = tmp_path / "archive.db"
    # A deliberately strict bound: no page of the site has 100,000 words.
    config_path = config(tmp_path, ("herald", herald))
    strict = run_cli(
        "crawl",
        "--config",
        config_path,
        "--db",
        str(db),
        env={**os.environ, "NEWSARCHIVE_MIN_WORDS": "100000"},
    )
    assert strict.returncode == 0, strict.stderr
    assert "4 pages judged not articles" in strict.stdout
    assert rows(db, "SELECT count(*) FROM articles") == [(0,)]
    recorded = rows(db, "SELECT url, reason, words FROM crawl_errors WHERE kind = 'not_article'")
    assert len(recorded) == 4
    words = dict(rows(db, "SELECT url, words FROM not_articles"))
    for url, reason, count in recorded:
        assert reason == f"body has {count} words (< 100000)" and count > 40
        assert words[url] == count  # and its page is kept
    (raw,) = rows(db, "SELECT raw FROM not_articles WHERE url LIKE '%/news/3.html'")[0]
    assert zlib.decompress(raw) == herald.pages["/news/3.html"]

    result = run_cli("reprocess", "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert "4 pages once judged not articles archived now" in result.stdout
    # The print version is the same text: an alias of article 2, as in a crawl.
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]
    assert rows(db, "SELECT count(*) FROM not_articles") == [(0,)]
    url = f"{herald.origin}/news/3.html"
    (body,) = rows(db, "SELECT body FROM articles WHERE canonical_url = ?", url)[0]
    assert body == "\n\n".join(STORIES["ru-bank-a"]["paragraphs"])


def test_raw_retention_can_be_turned_off(tmp_path, sites):
    herald, echo, _ = sites
    db = tmp_path / "archive.db"
    crawl(config(tmp_path, ("herald", herald), keep_raw=False), db)
    assert rows(db, "SELECT count(*) FROM articles") == [(3,)]
    assert rows(db, "SELECT count(*) FROM pages") == [(0,)]
    result = run_cli("reprocess", "--db", str(db))
    assert "3 without a stored page" in result.stdout


def test_killed_crawl_leaves_a_sound_archive_and_the_next_run_completes(tmp_path):
    site = Site(delay=0.005)
    stories = list(STORIES.values())
    count = 300
    for n in range(count):
        story = stories[n % len(stories)]
        # Distinct texts, so that none is an alias of another.
        paragraphs = [
            f"Выпуск {n}, сводка {n * 7}. {story['paragraphs'][0]}",
            *story["paragraphs"][1:],
        ]
        site.article(f"/news/{n}.html", f"{story['title']} ({n})", paragraphs)
    site.index([f"/news/{n}.html" for n in range(count)])
    db = tmp_path / "archive.db"
    config_path = config(tmp_path, ("big", site))
    try:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "scraper.cli",
                "crawl",
                "--config",
                config_path,
                "--db",
                str(db),
            ],
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        written = 0
        while written == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
            # OperationalError: the schema is not there yet.
            with contextlib.suppress(sqlite3.OperationalError):
                written = rows(db, "SELECT count(*) FROM articles")[0][0]
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert 0 < written < count, "the crawl must be killed while it writes"

        assert rows(db, "PRAGMA integrity_check") == [("ok",)]
        assert rows(db, "PRAGMA foreign_key_check") == []
        # No half-written article: each has its URL, its raw page and its LSH bands.
        for table in ("article_urls", "pages", "minhash_bands"):
            assert rows(
                db,
                f"SELECT count(*) FROM articles a WHERE NOT EXISTS "
                f"(SELECT 1 FROM {table} t WHERE t.article_id = a.id)",
            ) == [(0,)], table

        crawl(config_path, db)
        assert rows(db, "SELECT count(*), count(DISTINCT canonical_url) FROM articles") == [
            (count, count)
        ]
        assert rows(db, "SELECT count(*) FROM article_versions") == [(0,)]
    finally:
        site.close()
