"""Stream articles out of the archive as CSV or JSON lines, in constant memory."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO

import sqlite_utils

COLUMNS = [
    "id",
    "canonical_url",
    "url",
    "source",
    "title",
    "authors",
    "organizations",
    "published",
    "modified",
    "language",
    "section",
    "tags",
    "image",
    "description",
    "site_name",
    "word_count",
    "first_seen",
    "last_seen",
    "duplicate_of",
    "version",
    "body",
]
LISTS = ("authors", "organizations", "tags")  # JSON arrays in the archive
LIST_SEPARATOR = "; "
BOM = "\ufeff"  # starts a CSV for Excel, which then reads it as UTF-8


@dataclass
class Filters:
    sources: list[str] = field(default_factory=list)
    since: str | None = None  # compared with published_utc, ISO 8601
    until: str | None = None  # exclusive: the CLI passes the moment after its --until
    language: str | None = None
    # The same stemmed full-text search as Datasette's search box.
    search: str | None = None
    # Syndicated copies (rows with duplicate_of) are left out unless asked for.
    include_duplicates: bool = False

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.sources:
            clauses.append(f"source IN ({', '.join('?' * len(self.sources))})")
            params += self.sources
        if self.since:
            clauses.append("published_utc >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("published_utc < ?")
            params.append(self.until)
        if self.language:
            clauses.append("language = ?")
            params.append(self.language)
        if self.search:
            clauses.append(
                "id IN (SELECT rowid FROM articles_fts "
                "WHERE articles_fts MATCH newsarchive_query(?))"
            )
            params.append(self.search)
        if not self.include_duplicates:
            clauses.append("duplicate_of IS NULL")
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params


def articles(db: sqlite_utils.Database, filters: Filters) -> Iterator[dict[str, Any]]:
    where, params = filters.where()
    cursor = db.execute(f"SELECT {', '.join(COLUMNS)} FROM articles{where} ORDER BY id", params)
    for values in cursor:
        row = dict(zip(COLUMNS, values, strict=True))
        for name in LISTS:
            row[name] = json.loads(row[name] or "[]")
        yield row


def write_jsonl(rows: Iterator[dict[str, Any]], out: TextIO) -> None:
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")


def csv_values(columns: Sequence[str], values: Iterable[Any]) -> list[Any]:
    """One CSV row: the list columns joined with '; ', whether given as lists or as the
    archive's JSON text (Datasette's downloads read the rows straight from SQL)."""
    return [_joined(v) if c in LISTS else v for c, v in zip(columns, values, strict=True)]


def _joined(value: Any) -> Any:
    if isinstance(value, str):
        try:
            parsed = json.loads(value)
        except ValueError:
            return value
        if not isinstance(parsed, list):
            return value
        value = parsed
    return LIST_SEPARATOR.join(map(str, value)) if isinstance(value, list) else value


def write_csv(rows: Iterator[dict[str, Any]], out: TextIO, *, excel: bool = False) -> None:
    """CSV with lists joined by '; '; `excel` starts with a BOM so Excel reads UTF-8."""
    if excel:
        out.write(BOM)
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(csv_values(COLUMNS, (row[c] for c in COLUMNS)))
