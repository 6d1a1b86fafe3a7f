"""WARC out and in: the archive's raw pages as WARC/1.1 records, and captures made elsewhere
(Common Crawl's CC-NEWS, wget, Browsertrix, the Wayback Machine) put through the same
extraction, validation, dedupe and store as a crawl.

warcio reads and writes the format, streaming: one record's body (at most `max_size`
bytes) is in memory at a time, whatever the size of the file.
"""

from __future__ import annotations

import json
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import sqlite_utils
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from pipelines.dedupe import identify
from pipelines.export import Filters
from pipelines.extract import extract_page
from pipelines.store import Archive, run_summary
from pipelines.validate import rejection
from scraper.config import Config, Source
from scraper.extract.document import looks_binary
from scraper.items import Article
from scraper.urls import allowed

SOFTWARE = f"newsarchive/{version('newsarchive')}"
# Headers that describe the bytes on the wire, not the body the archive keeps (decoded,
# de-chunked): kept under this prefix (pywb's convention) so that a replay does not
# decode the body a second time.
ORIGINAL = "X-Archive-Orig-"
WIRE_HEADERS = ("content-encoding", "transfer-encoding", "content-length")
HTML_TYPES = ("text/html", "application/xhtml+xml")


# -- export -----------------------------------------------------------------------------

# Every stored page of the chosen articles, with the version its text was at its fetch time:
# the first version superseded after it, else the current one.
_PAGES = """SELECT p.url, p.status, p.headers, p.fetched_at, p.raw, a.id, a.canonical_url,
        a.source, coalesce((SELECT min(v.version) FROM article_versions v
            WHERE v.article_id = a.id AND v.superseded_at > p.fetched_at), a.version),
        (SELECT json_group_array(u.url) FROM article_urls u
            WHERE u.article_id = a.id AND u.url NOT IN (a.canonical_url, p.url))
    FROM pages p JOIN articles a ON a.id = p.article_id
    WHERE a.id IN (SELECT id FROM articles{where})
    ORDER BY p.article_id, p.fetched_at, p.id"""
_PAGE_FIELDS = ["url", "status", "headers", "fetched_at", "raw", "article_id",
                "canonical_url", "source", "version", "aliases"]  # fmt: skip


def http_headers(status: int | None, stored: str | None, size: int) -> tuple[StatusAndHeaders, str]:
    """The HTTP status line and headers of a stored page, and how they relate to the fetch.

    The archive keeps the status code and the headers as Scrapy handed them over (names
    title-cased, repeated ones joined by ", "), not the protocol or the reason phrase:
    those are written as HTTP/1.1 and the standard phrase. Pages stored without headers
    get a minimal block (a stored page was always taken for HTML).
    """
    headers = json.loads(stored or "{}")
    if not headers:
        note = "synthesised: the archive kept no headers for this capture"
        headers = {"Content-Type": "text/html"}
    else:
        note = "as fetched"
    lines = []
    for name, value in headers.items():
        if name.lower() in WIRE_HEADERS and (name.lower(), value) != ("content-length", str(size)):
            name = ORIGINAL + name
            note = "as fetched, body decoded: wire headers renamed " + ORIGINAL + "*"
        lines.append((name, value))
    if ("Content-Length", str(size)) not in lines:
        lines.append(("Content-Length", str(size)))
    code = status or 200
    try:
        phrase = HTTPStatus(code).phrase
    except ValueError:
        phrase = ""
    return StatusAndHeaders(f"{code} {phrase}".strip(), lines, protocol="HTTP/1.1"), note


def warc_date(iso: str) -> str:
    """An archive timestamp (ISO 8601, UTC) as a WARC-Date."""
    return datetime.fromisoformat(iso).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def write_warc(db: sqlite_utils.Database, filters: Filters, out: BinaryIO, name: str) -> int:
    """Write a warcinfo record, then a response and a metadata record per stored page of
    the articles `filters` selects, gzipped record by record unless `name` ends in .warc.
    Returns how many pages were written."""
    writer = WARCWriter(out, gzip=not name.endswith(".warc"), warc_version="1.1")
    info = {
        "software": SOFTWARE,
        "format": "WARC File Format 1.1",
        "description": "raw article pages exported from a newsarchive archive",
        **{f"filter-{k.replace('_', '-')}": str(v) for k, v in vars(filters).items() if v},
    }
    writer.write_record(writer.create_warcinfo_record(Path(name).name, info))
    where, params = filters.where()
    written = 0
    for values in db.execute(_PAGES.format(where=where), params):
        page = dict(zip(_PAGE_FIELDS, values, strict=True))
        body = zlib.decompress(page["raw"])
        head, note = http_headers(page["status"], page["headers"], len(body))
        date = warc_date(page["fetched_at"])
        response = writer.create_warc_record(
            page["url"],
            "response",
            payload=BytesIO(body),
            length=len(body),
            http_headers=head,
            warc_headers_dict={"WARC-Date": date},
        )
        writer.write_record(response)
        fields = {
            "article-id": page["article_id"],
            "canonical-url": page["canonical_url"],
            "version": page["version"],
            "source": page["source"],
            "http-headers": note,
        }
        lines = [*fields.items(), *(("also-reached-as", u) for u in json.loads(page["aliases"]))]
        text = "".join(f"{k}: {v}\r\n" for k, v in lines).encode()
        metadata = writer.create_warc_record(
            page["url"],
            "metadata",
            payload=BytesIO(text),
            length=len(text),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Date": date,
                "WARC-Concurrent-To": response.rec_headers.get_header("WARC-Record-ID"),
            },
        )
        writer.write_record(metadata)
        written += 1
    return written


# -- import -----------------------------------------------------------------------------


class NotWarc(ValueError):
    """The file is not a WARC file; the message says why, for a person."""


@dataclass
class Skipped:
    """A record that is not imported, and why (a crawl_errors kind)."""

    kind: str
    url: str


def _fetch_time(warc_date: str | None) -> str | None:
    if not warc_date:
        return None
    return iso_date_to_datetime(warc_date).replace(tzinfo=UTC).isoformat(timespec="seconds")


def _capture(record: Any, max_size: int) -> Article | Skipped | None:
    """The HTML capture a response record holds, why it is skipped, or None when it is no
    HTTP capture at all (requests, warcinfo, metadata, DNS records)."""
    url = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type == "revisit":
        return Skipped("revisit", url)
    if record.rec_type != "response" or record.http_headers is None:
        return None
    if record.rec_headers.get_header("WARC-Truncated"):
        return Skipped("truncated", url)  # cut short by the crawler that wrote it
    code = record.http_headers.get_statuscode() or ""
    status = int(code) if code.isdigit() else 0
    if status != 200:
        return Skipped(f"http_{status}", url)
    media = (record.http_headers.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if media and media not in HTML_TYPES:
        return Skipped("not_html", url)
    # Chunked and gzip/deflate/brotli payloads decoded, never past max_size (gzip bombs).
    body = record.content_stream().read(max_size + 1)
    if len(body) > max_size:
        return Skipped("too_large", url)
    if looks_binary(body):
        return Skipped("not_html", url)
    while record.raw_stream.read(65536):  # to the end, so that the digest is checked
        pass
    if record.raw_stream.limit:  # the file ends inside the record
        return Skipped("truncated", url)
    if record.digest_checker.passed is False:
        return Skipped("bad_digest", url)
    headers: dict[str, str] = {}
    for name, value in record.http_headers.headers:
        headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return Article(
        url=url,
        fetched_at=_fetch_time(record.rec_headers.get_header("WARC-Date")),
        status=status,
        headers=headers,
        raw_html=body,
        urls_seen=[url],
    )


# What warcio raises on bytes that are no WARC record (and zlib on a damaged gzip member).
_UNREADABLE = (ArchiveLoadFailed, zlib.error, EOFError, ValueError)


def check_warc(path: Path) -> None:
    """Raise NotWarc unless the file starts with a WARC record (plain or gzipped)."""
    try:
        with path.open("rb") as stream:
            record = next(iter(ArchiveIterator(stream)), None)
    except _UNREADABLE as exc:
        raise NotWarc(f"{path}: not a WARC file ({exc})") from None
    except OSError as exc:
        raise NotWarc(f"{path}: cannot be read ({exc.strerror})") from None
    if record is None:
        raise NotWarc(f"{path}: not a WARC file (no record in it)")
    if record.format != "warc":
        raise NotWarc(f"{path}: not a WARC file ({record.format.upper()} files are not read)")


def read_warc(path: Path, max_size: int) -> Iterator[Article | Skipped]:
    """The captures of a WARC file (see `check_warc`), and the records skipped. Damage
    further on (a file cut short, garbage) ends the file with Skipped("truncated", path)."""
    with path.open("rb") as stream:
        records = ArchiveIterator(stream, check_digests=True)
        try:
            for record in records:
                if (found := _capture(record, max_size)) is not None:
                    yield found
        except _UNREADABLE:
            yield Skipped("truncated", str(path))
            return
        # A gzip member cut short ends the iteration quietly: the bytes left unread say so.
        if records.offset < path.stat().st_size:
            yield Skipped("truncated", str(path))


class WarcImport:
    """Import WARC files into the archive: one `crawls` row of kind "import"."""

    def __init__(
        self,
        db: sqlite_utils.Database,
        config: Config,
        *,
        min_words: int,
        max_size: int,
        source: Source | None = None,
        batch_size: int = 100,
    ) -> None:
        self.archive = Archive(db, captured=True)
        self.config = config
        self.forced = source
        self.min_words = min_words
        self.max_size = max_size
        self.batch_size = batch_size
        self.pages: Counter[str] = Counter({s.name: 0 for s in config.sources})
        self.failures: Counter[tuple[str | None, str, str]] = Counter()

    def source_of(self, url: str) -> Source | None:
        if self.forced:
            return self.forced
        return next((s for s in self.config.sources if allowed(url, s.allowed_domains)), None)

    def _article(self, capture: Article) -> Article | None:
        """The capture extracted and identified; marked `not_article` when extraction found
        none (the store keeps it); None for a host of no source (counted)."""
        url = capture.url or ""
        source = self.source_of(url)
        if source is None:
            parts = urlsplit(url)
            self.failures[(None, "no_source", f"{parts.scheme}://{parts.netloc}/")] += 1
            return None
        capture.source = source.name
        self.pages[source.name] += 1
        article = extract_page(capture, source)
        if reason := rejection(article, self.min_words):
            article.not_article = reason  # kept and recorded by the store, as in a crawl
            return article
        return identify(article, self.config)

    def run(self, paths: list[Path], warn: Callable[[str], None] = print) -> dict[str, Any]:
        """Import every file; `warn` gets one line per damaged file. Returns the summary
        (the crawls row, its sources and failures). Check the paths with `check_warc`
        first: a file that is not a WARC counts as one damaged at its start."""
        crawl_id = self.archive.start_run("import")
        clock = time.monotonic()
        batch: list[Article] = []
        for path in paths:
            for found in read_warc(path, self.max_size):
                if isinstance(found, Skipped):
                    if found.url == str(path):
                        warn(f"{path}: damaged or cut short; the rest of the file is skipped")
                    source = self.source_of(found.url)
                    self.failures[(source.name if source else None, found.kind, found.url)] += 1
                elif article := self._article(found):
                    batch.append(article)
                    if len(batch) >= self.batch_size:
                        self.archive.write(batch)
                        batch = []
        self.archive.write(batch)
        self.archive.record_run(
            crawl_id, self.pages, self.failures, failed=False, seconds=time.monotonic() - clock
        )
        return run_summary(self.archive.db, crawl_id)
