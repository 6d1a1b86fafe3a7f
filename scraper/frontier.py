"""What the archive already knows about a URL, so a run fetches only what is new or may
have changed. Read-only; one indexed lookup per discovered article URL."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path


@dataclass(frozen=True)
class Known:
    first_seen: datetime
    last_seen: datetime
    etag: str | None
    last_modified: str | None


def parse_date(value: str | None) -> datetime | None:
    """A sitemap/Atom (ISO 8601) or RSS (RFC 822) date as an aware datetime, or None."""
    if not value or not value.strip():
        return None
    value = value.strip()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            moment = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ArchiveIndex:
    def __init__(self, db_path: str | Path) -> None:
        self.conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)

    def lookup(self, url: str) -> Known | None:
        row = self.conn.execute(
            "SELECT a.first_seen, a.last_seen, a.etag, a.http_last_modified "
            "FROM article_urls u JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            [url],
        ).fetchone()
        if row is None:
            return None
        first, last = (datetime.fromisoformat(v) for v in row[:2])
        return Known(first, last, row[2], row[3])

    def close(self) -> None:
        self.conn.close()


def needs_fetch(
    known: Known | None, *, recheck_hours: float, lastmod: datetime | None, now: datetime
) -> bool:
    """New URLs are fetched; archived ones only while young or when the site says they changed."""
    if known is None:
        return True
    if now - known.first_seen < timedelta(hours=recheck_hours):
        return True
    return lastmod is not None and lastmod > known.last_seen
