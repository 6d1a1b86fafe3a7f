"""The archive schema: one SQLite file, made and migrated with sqlite-utils.

Every command that opens an archive goes through `open_archive`, so a file that is not
an archive, or one written by a newer newsarchive, is refused before anything is written.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from scraper.textsearch import create_search_index, register_functions

SCHEMA_VERSION = 1


class ArchiveError(RuntimeError):
    """The archive cannot be used; the message says why, for a person."""


ARTICLE_COLUMNS = {
    "id": int,
    "canonical_url": str,
    "url": str,
    "source": str,
    "title": str,
    "authors": str,  # JSON array
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
}


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
    db["crawls"].create(
        {
            "id": int,
            "started": str,
            "finished": str,
            "status": str,  # running, finished, failed
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


def open_archive(path: str | Path, *, create: bool = True) -> sqlite_utils.Database:
    """Open (and, with `create`, make or migrate) the archive at `path`."""
    path = Path(path)
    if not path.exists() and not create:
        raise ArchiveError(f"{path}: no archive here (run `newsarchive crawl` first)")
    try:
        conn = sqlite3.connect(path, timeout=30)
        register_functions(conn)  # the search index triggers call them
        db = sqlite_utils.Database(conn)
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{path}: written by a newer newsarchive (schema {version}, this one reads "
                f"up to {SCHEMA_VERSION}); upgrade newsarchive"
            )
        if version == 0 and db.table_names():
            raise ArchiveError(f"{path}: an SQLite file, but not a newsarchive archive")
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("PRAGMA foreign_keys=ON")
        if version == 0 and create:
            with db.conn:
                _create(db)
                db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{path}: not a usable archive ({exc})") from None
    return db
