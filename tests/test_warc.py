"""WARC out and in: `newsarchive export --format warc` and `newsarchive import-warc`.

WARCs "written by other tools" are made here with warcio's own writer, in the layouts those
tools use: gzip per record (Heritrix, CC-NEWS), uncompressed, wget's request + response
pairs, revisits, chunked and gzip-encoded HTTP payloads.
"""

from __future__ import annotations

import gzip
import io
import os
import random
import sqlite3
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from test_demo_history import two_editions  # noqa: F401 (a fixture: two crawls of the demo)
from test_export import peak_rss_kb
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from pipelines.archive import open_archive
from pipelines.lock import writer_lock
from pipelines.store import Archive
from scraper.extract.fingerprint import content_hash
from scraper.items import Article

SITE = "https://news.example.org"
CONFIG = f"""
[[source]]
name = "herald"
start_urls = ["{SITE}/"]

[[source]]
name = "courier"
start_urls = ["https://courier.example.net/"]
"""
# Distinct stories (no two are near copies), each long enough to be an article.
STORIES = [
    "The city council voted on Tuesday to extend night bus services to the northern "
    "suburbs, after two years of complaints from shift workers at the hospital and the "
    "freight terminal. Four new routes will run every twenty minutes from midnight until "
    "five, and the first buses are due in March once drivers have been hired and trained.",
    "Heavy rain flooded the lower market square overnight, and traders spent the morning "
    "carrying crates of vegetables to higher ground. The river rose almost two metres "
    "within six hours; the fire brigade pumped out eleven cellars and closed the old "
    "bridge to cars until engineers can inspect its piers on Friday.",
    "A school in the eastern district has opened a repair café where pupils fix bicycles, "
    "radios and toasters brought in by neighbours. Teachers say the idea came from a "
    "physics class, and that more than three hundred appliances have been mended since "
    "September, saving families money and keeping old machines out of the landfill.",
    "The regional orchestra will play its winter concert in the new library atrium, whose "
    "glass roof gives it an unusual echo. Conductors from three countries were invited, "
    "and tickets sold out within an hour, so the organisers plan to stream the evening "
    "live and to repeat the programme in the cathedral during the spring festival.",
    "Beekeepers in the valley report their best honey harvest in a decade, crediting a "
    "mild spring and the wildflower strips that farmers planted along field margins. The "
    "cooperative expects to sell forty tonnes this year and is asking the county to fund "
    "a shared extraction room so that smaller producers can process their own combs.",
]


def page(n: int, title: str | None = None, extra: str = "") -> bytes:
    title = title or f"Story {n}: {STORIES[n].split(',')[0]}"
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f'<link rel="canonical" href="{SITE}/news/{n}.html"></head><body>'
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1><p>{STORIES[n]}</p>"
        f"{extra}</article><footer>Contact us</footer></body></html>"
    ).encode()


def response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    date: str,
    *,
    status: str = "200 OK",
    headers: list[tuple[str, str]] | None = None,
    warc_headers: dict[str, str] | None = None,
) -> None:
    """A response record as a crawler writes it: `body` is the payload as it was on the wire."""
    http = StatusAndHeaders(
        status, headers or [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
    )
    record = writer.create_warc_record(
        url,
        "response",
        payload=io.BytesIO(body),
        length=len(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": date, **(warc_headers or {})},
    )
    writer.write_record(record)


def chunked(body: bytes, size: int = 100) -> bytes:
    parts = [body[i : i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"


def foreign_warc(path: Path, *, gz: bool) -> Path:
    """A crawl as other tools record it: warcinfo, wget's request + response pairs, a chunked
    and a gzip-encoded payload, a revisit, and records the import must skip."""
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz, warc_version="1.0")
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Wget/1.21"}))
        # wget: the request first, then its response.
        request = writer.create_warc_record(
            f"{SITE}/news/0.html",
            "request",
            payload=io.BytesIO(b"GET /news/0.html HTTP/1.1\r\nHost: news.example.org\r\n\r\n"),
            warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"},
        )
        writer.write_record(request)
        response(writer, f"{SITE}/news/0.html", page(0), "2024-03-01T10:00:00Z")
        response(
            writer,
            f"{SITE}/news/1.html",
            chunked(page(1)),
            "2024-03-01T10:01:00Z",
            headers=[("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
        )
        response(
            writer,
            f"{SITE}/news/2.html",
            gzip.compress(page(2)),
            "2024-03-01T10:02:00Z",
            headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")],
        )
        revisit = writer.create_revisit_record(
            f"{SITE}/news/0.html",
            digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=f"{SITE}/news/0.html",
            refers_to_date="2024-03-01T10:00:00Z",
            http_headers=StatusAndHeaders("200 OK", [], protocol="HTTP/1.1"),
        )
        writer.write_record(revisit)
        response(writer, f"{SITE}/missing.html", b"gone", "2024-03-01T10:03:00Z",
                 status="404 Not Found")  # fmt: skip
        response(writer, f"{SITE}/logo.png", b"\x89PNG\r\n\x1a\n" + bytes(300),
                 "2024-03-01T10:04:00Z", headers=[("Content-Type", "image/png")])  # fmt: skip
        response(writer, f"{SITE}/news/3.html", page(3)[:200], "2024-03-01T10:05:00Z",
                 warc_headers={"WARC-Truncated": "length"})  # fmt: skip
        response(writer, "https://elsewhere.example.com/story.html", page(4),
                 "2024-03-01T10:06:00Z")  # fmt: skip
    return path


def rows(db_path: Path, sql: str, params=()) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def errors(db_path: Path) -> dict[str, int]:
    return dict(rows(db_path, "SELECT kind, sum(count) FROM crawl_errors GROUP BY kind"))


@pytest.fixture
def config(tmp_path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def import_warc(config: Path, db_path: Path, *paths: Path | str, extra=()):
    return run_cli(
        "import-warc", *map(str, paths), "--config", str(config), "--db", str(db_path), *extra
    )


# -- reading what other tools wrote ----------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["gzip-per-record", "uncompressed"])
def test_import_reads_warcs_other_tools_write(tmp_path, config, gz):
    warc = foreign_warc(tmp_path / ("crawl.warc.gz" if gz else "crawl.warc"), gz=gz)
    db_path = tmp_path / "archive.db"
    result = import_warc(config, db_path, warc)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    stored = rows(db_path, "SELECT canonical_url, source, body, fetched_at FROM articles")
    assert sorted((url, source, fetched) for url, source, _, fetched in stored) == [
        (f"{SITE}/news/0.html", "herald", "2024-03-01T10:00:00+00:00"),
        (f"{SITE}/news/1.html", "herald", "2024-03-01T10:01:00+00:00"),  # chunked
        (f"{SITE}/news/2.html", "herald", "2024-03-01T10:02:00+00:00"),  # gzip-encoded
    ]
    assert all(STORIES[int(url[-6])] in body for url, _, body, _ in stored)
    # Each record that is not imported is counted under its kind, the crawl's names.
    assert errors(db_path) == {
        "revisit": 1, "http_404": 1, "not_html": 1, "truncated": 1, "no_source": 1,
    }  # fmt: skip
    assert rows(db_path, "SELECT url FROM crawl_errors WHERE kind = 'no_source'") == [
        ("https://elsewhere.example.com/",)
    ]
    assert rows(db_path, "SELECT kind, status, pages, articles_new, errors FROM crawls") == [
        ("import", "finished", 3, 3, 5)
    ]
    assert "skipped: " in result.stdout and "revisit 1" in result.stdout


def test_forced_source_takes_every_host(tmp_path, config):
    warc = foreign_warc(tmp_path / "crawl.warc.gz", gz=True)
    db_path = tmp_path / "archive.db"
    result = import_warc(config, db_path, warc, extra=["--source", "courier"])
    assert result.returncode == 0, result.stderr
    assert rows(db_path, "SELECT DISTINCT source FROM articles") == [("courier",)]
    assert rows(db_path, "SELECT count(*) FROM articles")[0][0] == 4
    unknown = import_warc(config, db_path, warc, extra=["--source", "nope"])
    assert unknown.returncode == 2
    assert unknown.stderr.strip() == f"Error: --source nope: no such source in {config}"


# -- history: captures in any order -------------------------------------------------------


def capture(n: int, when: str, title: str) -> Article:
    html = page(n, title)
    return Article(
        url=f"{SITE}/news/{n}.html",
        canonical_url=f"{SITE}/news/{n}.html",
        source="herald",
        title=title,
        body=STORIES[n],
        fetched_at=when,
        status=200,
        raw_html=html,
        urls_seen=[f"{SITE}/news/{n}.html"],
        content_hash=content_hash(title, STORIES[n]),
    )


def history(db_path: Path) -> list[tuple]:
    current = rows(db_path, "SELECT version, title, fetched_at, NULL FROM articles")
    older = rows(
        db_path,
        "SELECT version, title, fetched_at, superseded_at FROM article_versions ORDER BY version",
    )
    return older + current


@pytest.mark.parametrize("order", [(0, 1, 2), (2, 1, 0), (2, 0, 1), (1, 2, 0)])
def test_versions_follow_fetch_times_whatever_the_import_order(tmp_path, order):
    edits = [
        ("2024-03-01T10:00:00+00:00", "Bus routes: council to vote"),
        ("2024-03-02T10:00:00+00:00", "Bus routes: council votes yes"),
        ("2024-03-03T10:00:00+00:00", "Bus routes: four new night lines"),
    ]
    db_path = tmp_path / "archive.db"
    db = open_archive(db_path)
    archive = Archive(db, captured=True)
    for i in order:
        archive.write([capture(0, *edits[i])])
    for i in order:  # a second import of the same captures changes nothing
        archive.write([capture(0, *edits[i])])
    db.close()
    assert history(db_path) == [
        (1, edits[0][1], edits[0][0], edits[1][0]),
        (2, edits[1][1], edits[1][0], edits[2][0]),
        (3, edits[2][1], edits[2][0], None),
    ]
    assert rows(db_path, "SELECT first_seen, last_seen FROM articles") == [
        (edits[0][0], edits[2][0])
    ]
    assert rows(db_path, "SELECT fetched_at FROM pages ORDER BY fetched_at") == [
        (when,) for when, _ in edits
    ]


def test_an_older_capture_of_the_same_text_moves_its_version_back(tmp_path):
    db_path = tmp_path / "archive.db"
    db = open_archive(db_path)
    archive = Archive(db, captured=True)
    archive.write([capture(0, "2024-03-01T10:00:00+00:00", "First headline")])
    archive.write([capture(0, "2024-03-03T10:00:00+00:00", "Second headline")])
    # Another copy of the second text, captured a day earlier, on a page that differs.
    earlier = capture(0, "2024-03-02T09:00:00+00:00", "Second headline")
    earlier.raw_html += b"<!-- another ad -->"
    archive.write([earlier])
    db.close()
    assert history(db_path) == [
        (1, "First headline", "2024-03-01T10:00:00+00:00", "2024-03-02T09:00:00+00:00"),
        (2, "Second headline", "2024-03-02T09:00:00+00:00", None),
    ]


# -- bad input -------------------------------------------------------------------------


@pytest.fixture
def archived(tmp_path, config) -> Path:
    """An archive holding one imported article, to show that bad input loses nothing."""
    db_path = tmp_path / "archive.db"
    with (tmp_path / "one.warc.gz").open("wb") as out:
        response(WARCWriter(out, gzip=True), f"{SITE}/news/4.html", page(4), "2024-02-01T08:00:00Z")
    assert import_warc(config, db_path, tmp_path / "one.warc.gz").returncode == 0
    return db_path


def assert_kept(db_path: Path) -> None:
    assert (f"{SITE}/news/4.html",) in rows(db_path, "SELECT canonical_url FROM articles")


def test_a_file_that_is_not_a_warc_is_one_line_and_exit_2(tmp_path, config, archived):
    for name, data in [
        ("page.html", page(0)),
        ("notes.warc.gz", gzip.compress(b"just some text, not a web archive\n" * 20)),
        ("empty.warc", b""),
    ]:
        (tmp_path / name).write_bytes(data)
        result = import_warc(config, archived, tmp_path / name)
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"Error: {tmp_path / name}: not a WARC")
        assert_kept(archived)
    assert rows(archived, "SELECT count(*) FROM crawls")[0][0] == 1  # nothing started


@pytest.mark.parametrize("gz", [True, False], ids=["gzip-per-record", "uncompressed"])
def test_a_file_cut_short_keeps_what_came_before(tmp_path, config, archived, gz):
    whole = foreign_warc(tmp_path / "whole.warc", gz=gz).read_bytes()
    if gz:  # inside the last gzip member, before a whole record header could be read
        end = whole.rindex(b"\x1f\x8b\x08") + 30
    else:  # inside the record of /news/2.html
        start = whole.index(f"WARC-Target-URI: {SITE}/news/2.html".encode())
        end = (start + whole.index(b"WARC/1.0", start)) // 2
    cut = tmp_path / ("cut.warc.gz" if gz else "cut.warc")
    cut.write_bytes(whole[:end])
    result = import_warc(config, archived, cut)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    if gz:  # the damage is said in one line; a plain file's cut record is only counted
        assert (
            result.stderr
            == f"Warning: {cut}: damaged or cut short; the rest of the file is skipped\n"
        )
    assert errors(archived)["truncated"] >= 1
    urls = {u for (u,) in rows(archived, "SELECT canonical_url FROM articles")}
    assert {f"{SITE}/news/0.html", f"{SITE}/news/1.html", f"{SITE}/news/4.html"} <= urls
    if not gz:
        assert f"{SITE}/news/2.html" not in urls


def test_a_bad_digest_is_a_counted_skip(tmp_path, config, archived):
    buffer = io.BytesIO()
    response(WARCWriter(buffer, gzip=False), f"{SITE}/news/1.html", page(1), "2024-03-01T10:00:00Z")
    response(WARCWriter(buffer, gzip=False), f"{SITE}/news/2.html", page(2), "2024-03-01T10:01:00Z")
    data = buffer.getvalue().replace(b"river rose", b"river fell", 1)  # same length
    (tmp_path / "tampered.warc").write_bytes(data)
    result = import_warc(config, archived, tmp_path / "tampered.warc")
    assert result.returncode == 0 and "Traceback" not in result.stderr
    assert errors(archived)["bad_digest"] == 1
    urls = {u for (u,) in rows(archived, "SELECT canonical_url FROM articles")}
    assert f"{SITE}/news/1.html" not in urls and f"{SITE}/news/2.html" in urls
    assert_kept(archived)


def test_a_gzip_bomb_is_refused_as_too_large(tmp_path, config, archived):
    # 64 MB of spaces inside an HTML page, 64 KB on the wire.
    bomb = gzip.compress(b"<html><body>" + b" " * (64 * 1024 * 1024) + b"</body></html>")
    with (tmp_path / "bomb.warc.gz").open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        headers = [("Content-Type", "text/html"), ("Content-Encoding", "gzip")]
        response(writer, f"{SITE}/news/bomb.html", bomb, "2024-03-01T10:00:00Z", headers=headers)
        response(writer, f"{SITE}/news/3.html", page(3), "2024-03-01T10:01:00Z")
    result = import_warc(config, archived, tmp_path / "bomb.warc.gz")
    assert result.returncode == 0, result.stderr
    assert errors(archived) == {"too_large": 1}
    assert rows(archived, "SELECT count(*) FROM articles")[0][0] == 2


def test_a_busy_archive_is_exit_3(tmp_path, config, archived):
    warc = foreign_warc(tmp_path / "crawl.warc.gz", gz=True)
    with writer_lock(archived):
        result = import_warc(config, archived, warc)
    assert result.returncode == 3
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert rows(archived, "SELECT count(*) FROM articles")[0][0] == 1


def exported(db_path: Path, tmp_path: Path) -> dict[str, tuple]:
    """`export --format warc` of the archive: (HTTP headers, body, metadata) by URL."""
    warc = tmp_path / "out.warc"
    result = run_cli("export", "--db", str(db_path), "--format", "warc", "-o", str(warc))
    assert result.returncode == 0, result.stderr
    found: dict[str, list] = {}
    with warc.open("rb") as stream:
        for record in ArchiveIterator(stream, check_digests=True):
            url = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "response":
                found[url] = [record.http_headers, record.content_stream().read()]
            elif record.rec_type == "metadata":
                found[url].append(record.content_stream().read().decode())
            assert record.digest_checker.passed is not False
    return {url: tuple(value) for url, value in found.items()}


def test_export_renames_the_wire_headers_of_decoded_bodies(tmp_path, config):
    db_path = tmp_path / "archive.db"
    assert (
        import_warc(config, db_path, foreign_warc(tmp_path / "in.warc.gz", gz=True)).returncode == 0
    )
    with sqlite3.connect(db_path) as conn:  # as a page stored without its headers
        conn.execute("UPDATE pages SET headers = NULL WHERE url LIKE '%/0.html'")
    pages = exported(db_path, tmp_path)
    http, body, metadata = pages[f"{SITE}/news/2.html"]  # served gzip-encoded
    assert body == page(2)
    assert http.get_header("Content-Encoding") is None
    assert http.get_header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert http.get_header("Content-Length") == str(len(page(2)))
    assert "http-headers: as fetched, body decoded" in metadata
    http, body, metadata = pages[f"{SITE}/news/1.html"]  # served chunked
    assert body == page(1) and http.get_header("Transfer-Encoding") is None
    assert http.get_header("X-Archive-Orig-Transfer-Encoding") == "chunked"
    http, body, metadata = pages[f"{SITE}/news/0.html"]
    assert http.headers == [("Content-Type", "text/html"), ("Content-Length", str(len(body)))]
    assert "http-headers: synthesised" in metadata


def many_pages(path: Path, count: int) -> Path:
    """`count` different articles (random sentences over the stories' words), gzipped."""
    words = " ".join(STORIES).replace(",", "").replace(".", "").split()
    rng = random.Random(17)
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for n in range(count):
            text = " ".join(rng.choice(words) for _ in range(90))
            title = " ".join(rng.choice(words) for _ in range(6)).capitalize()
            html = (
                f"<html><head><title>{title}</title></head><body><article><h1>{title}</h1>"
                f"<p>{text}.</p></article></body></html>"
            ).encode()
            when = f"2024-03-{1 + n // 100:02d}T10:{n % 60:02d}:{n % 100 // 60:02d}Z"
            response(writer, f"{SITE}/n/{n}.html", html, when)
    return path


def test_an_import_killed_midway_is_completed_by_the_next(tmp_path, config):
    warc = many_pages(tmp_path / "many.warc.gz", 400)
    db_path = tmp_path / "archive.db"
    command = [sys.executable, "-m", "scraper.cli", "import-warc", str(warc)]
    options = ["--config", str(config), "--db", str(db_path)]
    child = subprocess.Popen([*command, *options], cwd=REPO, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    stored = 0
    while child.poll() is None and not stored and time.monotonic() < deadline:
        time.sleep(0.05)
        if db_path.exists():
            stored = rows(db_path, "SELECT count(*) FROM articles")[0][0]
    child.kill()  # SIGKILL, after the first batch
    child.wait()
    assert 0 < rows(db_path, "SELECT count(*) FROM articles")[0][0] < 400
    again = import_warc(config, db_path, warc)
    assert again.returncode == 0, again.stderr
    assert "crawl 1 never finished (killed or crashed): marked interrupted" in again.stderr
    clean = tmp_path / "clean.db"
    assert import_warc(config, clean, warc).returncode == 0
    assert archive_state(db_path) == archive_state(clean)
    assert rows(db_path, "SELECT kind, status FROM crawls ORDER BY id") == [
        ("import", "interrupted"),
        ("import", "finished"),
    ]


def fill_pages(db_path: Path, count: int) -> None:
    """`count` articles with a 190 KB stored page each, straight into the archive schema."""
    text = os.urandom(95_000).hex().encode()  # compresses to half: 95 KB a row in the file
    raw = zlib.compress(b"<html><body><p>" + text + b"</p></body></html>")
    db = open_archive(db_path)
    with db.conn:
        for n in range(count):
            article_id = db.conn.execute(
                "INSERT INTO articles (canonical_url, source, first_seen, last_seen) "
                "VALUES (?, 's', '2024-03-01', '2024-03-01')",
                [f"{SITE}/{n}.html"],
            ).lastrowid
            db.conn.execute(
                "INSERT INTO pages (article_id, raw_hash, url, status, headers, fetched_at, raw) "
                "VALUES (?, ?, ?, 200, '{}', '2024-03-01T10:00:00+00:00', ?)",
                [article_id, str(n), f"{SITE}/{n}.html", raw],
            )
    db.close()


@pytest.mark.slow
def test_warc_export_memory_stays_flat(tmp_path):
    small, large = tmp_path / "small.db", tmp_path / "large.db"
    fill_pages(small, 10)
    fill_pages(large, 2_000)  # 380 MB of pages
    small_rss = peak_rss_kb(small, tmp_path / "small.warc", "--format", "warc")
    large_rss = peak_rss_kb(large, tmp_path / "large.warc", "--format", "warc")
    assert (tmp_path / "large.warc").stat().st_size > 380_000_000
    assert large_rss - small_rss < 20_000, (small_rss, large_rss)


# -- round trip: crawl, export, import ----------------------------------------------------


def archive_state(db_path: Path) -> dict[str, list]:
    """What the archive holds about its articles, keyed by URL rather than row id."""
    url = "(SELECT canonical_url FROM articles WHERE id = {})"
    return {
        "articles": rows(
            db_path,
            f"SELECT canonical_url, source, title, body, version, fetched_at, "
            f"{url.format('a.duplicate_of')} FROM articles a ORDER BY canonical_url",
        ),
        "versions": rows(
            db_path,
            f"SELECT {url.format('article_id')} AS u, version, title, body, fetched_at, "
            f"superseded_at FROM article_versions ORDER BY u, version",
        ),
        "urls": rows(
            db_path,
            f"SELECT url, {url.format('article_id')} FROM article_urls ORDER BY url",
        ),
        "pages": rows(
            db_path,
            f"SELECT {url.format('article_id')} AS u, url, raw_hash, fetched_at, raw "
            "FROM pages ORDER BY u, fetched_at",
        ),
    }


def reversed_warc(source: Path, target: Path) -> None:
    """The same responses, newest first: an archive imported out of order."""
    records = []
    with source.open("rb") as stream:
        for record in ArchiveIterator(stream):
            if record.rec_type == "response":
                body = record.content_stream().read()
                records.append((record.rec_headers.get_header("WARC-Target-URI"),
                                record.rec_headers.get_header("WARC-Date"),
                                record.http_headers, body))  # fmt: skip
    with target.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for uri, date, http, body in reversed(records):
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body),
                                               length=len(body), http_headers=http,
                                               warc_headers_dict={"WARC-Date": date})  # fmt: skip
            writer.write_record(record)


@pytest.fixture(scope="module")
def round_trip(two_editions, tmp_path_factory):  # noqa: F811 (the imported fixture)
    origins, crawled, _summary = two_editions
    tmp = tmp_path_factory.mktemp("warc")
    config = tmp / "sources.toml"
    config.write_text((crawled.parent / "sources.toml").read_text("utf-8"), "utf-8")
    warc = tmp / "demo.warc.gz"
    exported = run_cli(
        "export", "--db", str(crawled), "--format", "warc", "--include-duplicates",
        "--output", str(warc),
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    imported = tmp / "imported.db"
    result = import_warc(config, imported, warc)
    assert result.returncode == 0, result.stderr
    return {"crawled": crawled, "warc": warc, "imported": imported, "config": config}


def test_round_trip_gives_the_same_articles_versions_and_copies(round_trip):
    crawled, imported = archive_state(round_trip["crawled"]), archive_state(round_trip["imported"])
    assert imported["articles"] == crawled["articles"]
    assert imported["versions"] == crawled["versions"] and len(crawled["versions"]) == 1
    # The URLs captured; the aliases a crawl met (redirects, tracking links) are only listed
    # in the metadata records.
    assert set(imported["urls"]) <= set(crawled["urls"])
    assert {url for url, *_ in crawled["articles"]} <= {url for url, _ in imported["urls"]}
    assert [p[:3] + p[4:] for p in imported["pages"]] == [p[:3] + p[4:] for p in crawled["pages"]]
    assert sum(dup is not None for *_, dup in crawled["articles"]) == 1  # the syndicated copy


def test_reimporting_the_same_file_changes_nothing(round_trip):
    before = archive_state(round_trip["imported"])
    again = import_warc(round_trip["config"], round_trip["imported"], round_trip["warc"])
    assert again.returncode == 0, again.stderr
    assert "0 articles new, 0 updated" in again.stdout
    assert archive_state(round_trip["imported"]) == before


def test_newest_captures_first_give_the_same_history(round_trip, tmp_path):
    backwards = tmp_path / "backwards.warc.gz"
    reversed_warc(round_trip["warc"], backwards)
    db_path = tmp_path / "archive.db"
    result = import_warc(round_trip["config"], db_path, backwards)
    assert result.returncode == 0, result.stderr
    expected, got = archive_state(round_trip["crawled"]), archive_state(db_path)
    assert got["articles"] == expected["articles"]
    assert got["versions"] == expected["versions"]


def test_export_holds_a_response_and_metadata_per_page(round_trip):
    with round_trip["warc"].open("rb") as stream:
        records = [
            (r.rec_type, r.rec_headers, r.http_headers, r.content_stream().read())
            for r in ArchiveIterator(stream, check_digests=True)
        ]
    kinds = [kind for kind, *_ in records]
    assert kinds[0] == "warcinfo" and b"newsarchive/" in records[0][3]
    assert b"filter-include-duplicates" in records[0][3]
    pages = rows(round_trip["crawled"], "SELECT url, fetched_at, raw FROM pages")
    assert kinds.count("response") == kinds.count("metadata") == len(pages)
    responses = {
        (h.get_header("WARC-Target-URI"), h.get_header("WARC-Date")): (http, body)
        for kind, h, http, body in records
        if kind == "response"
    }
    for url, fetched_at, raw in pages:
        http, body = responses[(url, fetched_at.replace("+00:00", "Z"))]
        assert body == zlib.decompress(raw)
        assert http.get_statuscode() == "200"
        assert http.get_header("Content-Type", "").startswith("text/html")
        assert http.get_header("Content-Length") == str(len(body))
    # The edited article: two captures, each linked to its own version.
    edited = rows(
        round_trip["crawled"],
        "SELECT a.id, a.canonical_url FROM articles a WHERE version = 2",
    )
    ((article_id, canonical),) = edited
    links = [
        body.decode() for kind, h, _, body in records
        if kind == "metadata" and f"article-id: {article_id}\r\n".encode() in body
    ]  # fmt: skip
    assert len(links) == 2
    assert all(f"canonical-url: {canonical}\r\n" in link for link in links)
    assert sorted(link.split("version: ")[1][0] for link in links) == ["1", "2"]
