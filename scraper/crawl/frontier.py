"""What the archive already knows about a URL, so a run fetches only what is new or may
have changed. Read-only; one indexed lookup per discovered article URL."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any


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


class Frontier:
    """The crawler's view of the archive: what is archived, and which article URLs were
    discovered but not yet dealt with.

    The `frontier` table is what makes a killed run resumable: a URL is added when its
    request is scheduled and removed only once it is settled — stored (by the store, in the
    same transaction as the article), rejected, failed or unchanged. The next run requests
    whatever is left, even links found on pages it will not fetch again.
    """

    FLUSH_EVERY = 500  # pending changes written per transaction, at the most

    def __init__(self, db_path: str | Path) -> None:
        self.conn = sqlite3.connect(db_path, timeout=30, isolation_level=None)
        self.added: list[tuple[str, str, int, str, str | None, str]] = []
        self.settled: list[str] = []

    @classmethod
    def from_crawler(cls, crawler: Any) -> Frontier:
        return cls(crawler.settings.get("NEWSARCHIVE_DB"))

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

    def pending(self, sources: list[str]) -> list[tuple[str, str, int, str, str | None]]:
        """(url, source, depth, found_as, lastmod) left over from earlier runs."""
        marks = ", ".join("?" * len(sources))
        return self.conn.execute(
            f"SELECT url, source, depth, found_as, lastmod FROM frontier WHERE source IN ({marks})",
            sources,
        ).fetchall()

    def add(self, url: str, source: str, depth: int, found_as: str, lastmod: str | None) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        self.added.append((url, source, depth, found_as, lastmod, now))
        self._maybe_flush()

    def settle(self, url: str) -> None:
        self.settled.append(url)
        self._maybe_flush()

    def _maybe_flush(self) -> None:
        if len(self.added) + len(self.settled) >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        if not (self.added or self.settled):
            return
        with self.conn:
            self.conn.execute("BEGIN IMMEDIATE")
            self.conn.executemany(
                "INSERT OR IGNORE INTO frontier "
                "(url, source, depth, found_as, lastmod, discovered) VALUES (?, ?, ?, ?, ?, ?)",
                self.added,
            )
            self.conn.executemany(
                "DELETE FROM frontier WHERE url = ?", [(u,) for u in self.settled]
            )
        self.added, self.settled = [], []

    def close(self, *, flush: bool = True) -> None:
        try:
            if flush:
                self.flush()
        finally:
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
