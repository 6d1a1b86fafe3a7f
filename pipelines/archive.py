"""The archive schema: one SQLite file, made and migrated with sqlite-utils.

Every command that opens an archive goes through `open_archive`, so a file that is not
an archive, or one written by a newer newsarchive, is refused before anything is written.
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from pipelines.textsearch import (
    create_search_index,
    rebuild_search_index,
    register_functions,
)
from scraper.extract.fingerprint import band_keys, body_hash

SCHEMA_VERSION = 8
log = logging.getLogger(__name__)


class ArchiveError(RuntimeError):
    """The archive cannot be used; the message says why, for a person."""


# Disk full, file too large, quota exceeded: whatever was writing, the next write fails too.
_NO_SPACE = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}
WRITE_FAILED = "archive_write_failed"  # the reason a crawl closes after such an error


def is_write_error(error: BaseException) -> bool:
    """An error of the archive's file itself (SQLite's, or a full disk or quota)."""
    return isinstance(error, sqlite3.Error) or (
        isinstance(error, OSError) and error.errno in _NO_SPACE
    )


ARTICLE_COLUMNS = {
    "id": int,
    "canonical_url": str,
    "url": str,
    "source": str,
    "title": str,
    "authors": str,  # JSON array of people
    "organizations": str,  # JSON array: agencies, newsrooms credited instead of people
    "published": str,  # ISO 8601 as the page gave it, with offset
    "published_utc": str,  # the same instant in UTC, for sorting
    "modified": str,
    "modified_utc": str,
    "language": str,
    "section": str,
    "tags": str,  # JSON array
    "image": str,
    "description": str,
    "site_name": str,
    "body": str,
    "body_html": str,
    "word_count": int,
    "content_hash": str,
    "first_seen": str,
    "last_seen": str,
    # Validators of the last fetch, for conditional re-checks (304 costs no parse).
    "etag": str,
    "http_last_modified": str,
}


def _bodies(db: sqlite_utils.Database, chunk: int = 1000) -> Iterator[tuple[int, str]]:
    """Every article's (id, body), a chunk at a time: a migration may update the rows it
    reads, and a million bodies do not fit in memory at once."""
    after = 0
    while rows := db.execute(
        "SELECT id, body FROM articles WHERE id > ? ORDER BY id LIMIT ?", [after, chunk]
    ).fetchall():
        yield from rows
        after = rows[-1][0]


def _create(db: sqlite_utils.Database) -> None:
    db["articles"].create(
        ARTICLE_COLUMNS, pk="id", not_null={"canonical_url", "source", "first_seen", "last_seen"}
    )
    db["articles"].create_index(["canonical_url"], unique=True)
    db["articles"].create_index(["published_utc"])
    db["articles"].create_index(["source", "content_hash"])
    db["article_urls"].create(
        {"url": str, "article_id": int, "first_seen": str},
        pk="url",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["article_urls"].create_index(["article_id"])
    # Article URLs discovered but not yet settled (see scraper.crawl.frontier.Frontier).
    db["frontier"].create(
        {
            "url": str,
            "source": str,
            "depth": int,
            "found_as": str,
            "lastmod": str,
            "discovered": str,
        },
        pk="url",
    )
    db["frontier"].create_index(["source"])
    db["crawls"].create(
        {
            "id": int,
            "started": str,
            "finished": str,
            "status": str,  # running, finished, failed, interrupted (killed)
            "pages": int,
            "articles_new": int,
            "articles_updated": int,
            "duplicates": int,
            "errors": int,
            "seconds": float,
        },
        pk="id",
    )
    db["crawl_sources"].create(
        {
            "crawl_id": int,
            "source": str,
            "status": str,
            "pages": int,
            "articles_new": int,
            "articles_updated": int,
            "duplicates": int,
            "errors": int,
        },
        pk=("crawl_id", "source"),
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    db["crawl_errors"].create(
        {"crawl_id": int, "source": str, "kind": str, "url": str, "count": int},
        pk=("crawl_id", "url", "kind"),
        foreign_keys=[("crawl_id", "crawls", "id")],
    )
    create_search_index(db.conn)


def _history(db: sqlite_utils.Database) -> None:
    """Schema 2: article versions, near-duplicate links, raw pages, the LSH band index."""
    articles = db["articles"]
    articles.add_column("version", int, not_null_default=1)
    # Plain ALTER TABLE: sqlite-utils adds a foreign key by rebuilding the table, which
    # would drop the full-text triggers.
    db.execute("ALTER TABLE articles ADD COLUMN duplicate_of INTEGER REFERENCES articles(id)")
    articles.add_column("body_hash", str)  # the body alone: same text, other headline
    articles.add_column("raw_hash", str)  # the page the current text was extracted from
    articles.add_column("fetched_at", str)  # when the current text was first fetched
    db.execute("DROP INDEX IF EXISTS idx_articles_source_content_hash")
    articles.create_index(["source", "body_hash"])
    articles.create_index(["duplicate_of"])
    db["article_versions"].create(
        {
            "article_id": int,
            "version": int,
            "fetched_at": str,  # when this text was first fetched
            "superseded_at": str,  # when the edit that replaced it was fetched
            "title": str,
            "body": str,
            "content_hash": str,
            "raw_hash": str,
        },
        pk=("article_id", "version"),
        foreign_keys=[("article_id", "articles", "id")],
    )
    # One row per distinct page of an article; `raw` is the zlib-compressed response body.
    db["pages"].create(
        {
            "id": int,
            "article_id": int,
            "raw_hash": str,
            "url": str,
            "status": int,
            "headers": str,  # JSON object
            "fetched_at": str,
            "last_fetched": str,
            "size": int,
            "raw": bytes,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
    )
    db["pages"].create_index(["article_id", "raw_hash"], unique=True)
    # MinHash LSH bands (scraper.extract.fingerprint.band_keys): looked up by key, an article's own
    # rows found again by recomputing its keys, so no second index is needed.
    db.execute(
        "CREATE TABLE minhash_bands (key INTEGER NOT NULL, article_id INTEGER NOT NULL, "
        "PRIMARY KEY (key, article_id)) WITHOUT ROWID"
    )
    db.execute(
        """CREATE VIEW edited_articles AS
        SELECT a.id AS article_id, a.source, a.title, a.canonical_url, a.published,
               v.version AS old_version, v.title AS old_title, v.fetched_at AS old_fetched_at,
               v.superseded_at AS edited_at
        FROM article_versions v JOIN articles a ON a.id = v.article_id
        WHERE a.published_utc IS NULL OR v.superseded_at > a.published_utc
        ORDER BY v.superseded_at DESC"""
    )
    for article_id, body in _bodies(db):
        db.execute("UPDATE articles SET body_hash = ? WHERE id = ?", [body_hash(body), article_id])


def _lookup_keys(db: sqlite_utils.Database) -> None:
    """Schema 3: band keys recomputed (rensa's MinHash replaced datasketch's, which hashed
    each shingle with SHA-1), and every canonical URL in `article_urls`, where the store
    now looks articles up."""
    db.execute(
        "INSERT OR IGNORE INTO article_urls (url, article_id, first_seen) "
        "SELECT canonical_url, id, first_seen FROM articles"
    )
    db.execute("DELETE FROM minhash_bands")
    # Appended to a plain table, then copied over in key order: inserting millions of
    # random keys straight into the index would rewrite pages all over the file.
    db.execute("CREATE TEMP TABLE new_bands (key INTEGER, article_id INTEGER)")
    for article_id, body in _bodies(db):
        db.conn.executemany(
            "INSERT INTO new_bands VALUES (?, ?)", [(key, article_id) for key in band_keys(body)]
        )
    db.execute(
        "INSERT OR IGNORE INTO minhash_bands SELECT key, article_id FROM new_bands "
        "ORDER BY key, article_id"
    )
    db.execute("DROP TABLE new_bands")


def _not_articles(db: sqlite_utils.Database) -> None:
    """Schema 4: fetched pages that extraction judged not articles are kept, so that
    `reprocess` can archive them once the extractor finds their text; their crawl_errors
    rows say why (`reason`) and how many words the body had (`words`)."""
    # Idempotent, like the schema 3 step: an archive whose version was set back (as the
    # tests do to fake old band keys) has the columns already.
    for column, kind in (("reason", str), ("words", int)):
        if column not in db["crawl_errors"].columns_dict:
            db["crawl_errors"].add_column(column, kind)
    db["not_articles"].create(
        {
            "url": str,
            "source": str,
            "reason": str,
            "words": int,
            "status": int,
            "headers": str,  # JSON object
            "fetched_at": str,
            "size": int,
            "raw": bytes,  # zlib-compressed, as in `pages`
        },
        pk="url",
        if_not_exists=True,
    )


def _run_kinds(db: sqlite_utils.Database) -> None:
    """Schema 5: what a `crawls` row records, a `crawl` or a WARC `import`. Skipped where
    the column is there already, so the step can move in the sequence."""
    if "kind" not in db["crawls"].columns_dict:
        db["crawls"].add_column("kind", str, not_null_default="crawl")


def _crawl_nodes(db: sqlite_utils.Database) -> None:
    """Schema 6: which crawl node a crawls row is (a cluster run has one row per node;
    empty for a single-process crawl)."""
    if "node" not in db["crawls"].columns_dict:  # safe to run again, wherever it lands
        db["crawls"].add_column("node", str)


def _search_columns(db: sqlite_utils.Database) -> None:
    """Schema 7: the search index gains the lead (description), authors and tags, so a
    byline or a tag finds its articles. The index is made anew and refilled from the
    articles (terms are recomputed: 5-6 minutes of CPU per million articles, see
    benchmarks/search_index.py); running it again gives the same index."""
    create_search_index(db.conn)
    rebuild_search_index(db.conn)


def _facet_index(db: sqlite_utils.Database) -> None:
    """Schema 8: one index that answers a source's page from the index alone: its rows
    newest first, and each facet Datasette counts over them (language, section, day,
    authors, tags), without reading the ~25,000 rows of a source in a 1M archive. One
    index for all of them, since each index costs the writer CPU on every insert (see
    benchmarks/README.md); about 2 s of CPU per million articles to build."""
    db.execute(
        "CREATE INDEX IF NOT EXISTS idx_articles_source_facets "
        "ON articles (source, published_utc, language, section, authors, tags)"
    )


# MIGRATIONS[n] brings schema n to n + 1.
MIGRATIONS = [
    _create,
    _history,
    _lookup_keys,
    _not_articles,
    _run_kinds,
    _crawl_nodes,
    _search_columns,
    _facet_index,
]


def open_archive(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and, with `create`, make or migrate) the archive at `path`."""
    path = Path(path)
    if not path.exists():
        if not create:
            raise ArchiveError(f"{path}: no archive here (run `newsarchive crawl` first)")
        _create_whole(path)
    try:
        db = _connect(path)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{path}: written by a newer newsarchive (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade newsarchive"
            )
        if version == 0 and db.table_names():
            raise ArchiveError(f"{path}: an SQLite file, but not a newsarchive archive")
        if version == 0 and not create:  # an empty file
            raise ArchiveError(f"{path}: an empty archive (run `newsarchive crawl` first)")
        _set_pragmas(db)
        if version < SCHEMA_VERSION:
            if version:  # can take minutes on a large archive: say why the run waits
                log.warning(
                    "%s: upgrading the archive from schema %d to %d", path, version, SCHEMA_VERSION
                )
            _migrate(db, version)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: not a usable archive ({exc})") from None
    return db


def _connect(path: Path) -> sqlite_utils.Database:
    conn = sqlite3.connect(path, timeout=30)
    register_functions(conn)  # the search index triggers call them
    return sqlite_utils.Database(conn)


def _set_pragmas(db: sqlite_utils.Database) -> None:
    """Only once the file is known to be an archive: WAL mode rewrites its header."""
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA foreign_keys=ON")


def _migrate(db: sqlite_utils.Database, version: int) -> None:
    with db.atomic():
        for migrate in MIGRATIONS[version:]:
            migrate(db)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")


def _create_whole(path: Path) -> None:
    """Make a new archive beside `path` and link it into place, so a run killed while
    creating it leaves no archive rather than an empty file that readers would open."""
    building = path.with_name(f".{path.name}.{os.getpid()}.new")
    try:
        db = _connect(building)
        try:
            _set_pragmas(db)
            _migrate(db, 0)
        finally:
            db.close()
        try:
            os.link(building, path)  # unlike a rename, never replaces an archive made meanwhile
        except FileExistsError:
            pass
        except OSError:  # a file system without hard links
            os.replace(building, path)
    except (sqlite3.DatabaseError, OSError) as exc:  # OSError: neither link nor rename
        raise ArchiveError(f"{path}: could not create the archive ({exc})") from None
    finally:
        for leftover in ("", "-wal", "-shm"):
            Path(f"{building}{leftover}").unlink(missing_ok=True)
