"""The archive's full-text search: a contentless FTS5 table fed index *terms*
(scraper.extract.terms: case, ё, apostrophes and endings folded, the same for the index and
the query), the triggers that keep it current, and queries and snippets in the same terms.
"""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from scraper.extract.terms import APOSTROPHES, UKRAINIAN_ONLY, WORD, term, terms

FTS_TABLE = "articles_fts"
INDEX_FUNCTION = "newsarchive_terms"
QUERY_FUNCTION = "newsarchive_query"
SNIPPET_FUNCTION = "newsarchive_snippet"

# Texts whose terms were computed already (by a cluster node's extraction workers), for the
# index triggers of the batch being written: see `terms_ready`.
_READY: dict[str, str] = {}


@contextmanager
def terms_ready(pairs: Iterable[tuple[str | None, str]]) -> Iterator[None]:
    """While the block runs, the index triggers take these (text, terms) pairs as computed
    rather than computing the terms again: the single writer only inserts them."""
    _READY.update((text, found) for text, found in pairs if text)
    try:
        yield
    finally:
        _READY.clear()


def _index_terms(text: str | None) -> str:
    if text and (found := _READY.get(text)) is not None:
        return found
    return terms(text)


# Query syntax: "a phrase", OR, NOT, AND (upper case, as in FTS5), word* for a prefix.
QUERY_TOKEN = re.compile(
    r'"(?P<phrase>[^"]*)"?|(?P<word>[^\W_]+(?:[-\'’ʼ‘`][^\W_]+)*)(?P<star>\*)?'
)
OPERATORS = {"OR", "NOT", "AND"}


def _prefix(word: str) -> str:
    folded = APOSTROPHES.sub("", word.lower().replace("ё", "е"))
    stem = term(word)
    # A stem is a prefix of the word for Snowball; a Ukrainian lemma may not be ("києв*").
    return stem if folded.startswith(stem) else folded


def fts_query(query: str | None) -> str | None:
    """The user's search box text as a safe FTS5 query over index terms, or None if empty.

    Every term is quoted, so no punctuation the user types can be FTS5 syntax; a dangling
    or doubled operator is dropped, so the result always parses.
    """
    parts: list[str] = []
    for match in QUERY_TOKEN.finditer(query or ""):
        if match["phrase"] is not None:
            words = terms(match["phrase"])
            if words:
                parts.append(f'"{words}"')
        elif match["word"] in OPERATORS:
            if parts and parts[-1] not in OPERATORS:
                parts.append(match["word"])
        elif match["star"]:
            *head, last = WORD.findall(match["word"])
            parts.append('"' + " ".join([*(term(w) for w in head), _prefix(last)]) + '"*')
        else:
            parts.append(f'"{terms(match["word"])}"')
    while parts and parts[-1] in OPERATORS:
        parts.pop()
    return " ".join(parts) or None


def query_terms(query: str | None) -> tuple[set[str], tuple[str, ...]]:
    """The exact terms and the prefixes a query looks for (NOT-ed ones included), to highlight."""
    exact: set[str] = set()
    prefixes: list[str] = []
    for match in QUERY_TOKEN.finditer(query or ""):
        if match["word"] in OPERATORS:
            continue
        words = WORD.findall(match["phrase"] or match["word"] or "")
        if match["star"] and words:
            prefixes.append(_prefix(words.pop()))
        exact.update(term(w) for w in words)
    return exact, tuple(prefixes)


def snippet(text: str | None, query: str | None, *, words: int = 30, mark: str = "mark") -> str:
    """HTML: the `words`-word window of `text` with most query matches, matches in <mark>.

    The text is escaped, so stored markup shows as text. With mark="" the matches are
    wrapped in [brackets] instead, for plain-text output (CSV, canned queries).
    """
    if not text:
        return ""
    exact, prefixes = query_terms(query)
    # Only words that begin like a query term are lemmatised (an unseen word costs up to
    # 0.1 ms): the first three letters, or two for a Ukrainian word, whose vowels alternate
    # in the stem (Києві/Київ, Львова/Львів).
    wanted = (*exact, *prefixes)
    starts3, starts2 = tuple({t[:3] for t in wanted}), tuple({t[:2] for t in wanted})
    folded = text.lower().replace("ё", "е")
    if len(folded) != len(text):  # a letter whose lower case is longer (İ): check every word
        folded, starts3 = text, ("",)
    spans = [(m.start(), m.end()) for m in WORD.finditer(text)]
    hits = [
        i
        for i, (s, e) in enumerate(spans)
        if (
            folded.startswith(starts3, s)
            or (folded.startswith(starts2, s) and not UKRAINIAN_ONLY.isdisjoint(folded[s:e]))
        )
        and _matches(term(text[s:e]), exact, prefixes)
    ]
    first = 0
    whole = len(spans) <= words  # a text that fits (a headline) is shown whole
    if hits and not whole:
        # The window starting at a hit that covers the most hits.
        first = max(hits, key=lambda h: sum(1 for x in hits if h <= x < h + words))
        first = max(0, first - 3)
    window = spans[first : first + words]
    if not window:
        return ""
    start, end = (0, len(text)) if whole else (window[0][0], window[-1][1])
    out = ["…" if start else ""]
    cursor = start
    for i, (s, e) in enumerate(window, start=first):
        out.append(_escape(text[cursor:s], mark))
        word = _escape(text[s:e], mark)
        if i in hits:
            word = f"<{mark}>{word}</{mark}>" if mark else f"[{word}]"
        out.append(word)
        cursor = e
    out.append(_escape(text[cursor:end], mark) + ("…" if end < len(text) else ""))
    return "".join(out)


def _matches(t: str, exact: set[str], prefixes: tuple[str, ...]) -> bool:
    return t in exact or t.startswith(prefixes)


def _escape(text: str, mark: str) -> str:
    return html.escape(text) if mark else text


def register_functions(conn: sqlite3.Connection) -> None:
    """SQL functions the FTS triggers and the search SQL call; needed on every connection."""
    conn.create_function(INDEX_FUNCTION, 1, _index_terms, deterministic=True)
    conn.create_function(QUERY_FUNCTION, 1, lambda q: fts_query(q) or '""', deterministic=True)
    conn.create_function(
        SNIPPET_FUNCTION, 2, lambda text, q: snippet(text, q, mark=""), deterministic=True
    )


# The indexed columns and the article columns they are made from, in FTS column order:
# the headline, the page's own summary (the lead), the text, and the people and tags, so a
# byline or a tag finds its articles. authors and tags are JSON lists; the WORD pattern
# reads their names and skips the brackets and quotes.
FTS_COLUMNS = {
    "title": "title",
    "lead": "description",
    "body": "body",
    "authors": "authors",
    "tags": "tags",
}
# bm25 weights in the same order: a word in the headline counts ten times one in the
# body, in the lead, a byline or a tag three times (ranking: title > lead > body).
FTS_WEIGHTS = (10.0, 3.0, 1.0, 3.0, 3.0)


# Schema 6 and before indexed the headline and the body only (benchmarks and the upgrade
# test make such an index with `create_search_index(conn, SCHEMA_6_COLUMNS)`).
SCHEMA_6_COLUMNS = {"title": "title", "body": "body"}


def _fts_row(prefix: str, columns: dict[str, str]) -> str:
    return ", ".join(f"{INDEX_FUNCTION}({prefix}.{column})" for column in columns.values())


def create_search_index(db_conn: sqlite3.Connection, columns: dict[str, str] = FTS_COLUMNS) -> None:
    """The contentless FTS5 table of article terms, kept current by triggers.

    Contentless: the terms are not stored twice, only indexed; snippets come from the
    articles' own text. Without `contentless_delete` (SQLite < 3.43) a row is removed by
    FTS5's 'delete' command with the terms it was indexed with, recomputed from the old row.
    Safe to run again: an index of other columns (schema 6 had title and body) is
    replaced, and `rebuild_search_index` then fills it.
    """
    names = ", ".join(columns)
    delete = (
        f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, {names}) "
        f"VALUES ('delete', old.id, {_fts_row('old', columns)});"
    )
    insert = f"INSERT INTO {FTS_TABLE}(rowid, {names}) VALUES (new.id, {_fts_row('new', columns)});"
    sources = ", ".join(columns.values())
    changed = " OR ".join(f"old.{c} IS NOT new.{c}" for c in columns.values())
    # One statement at a time: executescript() would commit the caller's transaction.
    for statement in (
        "DROP TRIGGER IF EXISTS articles_fts_ai",
        "DROP TRIGGER IF EXISTS articles_fts_ad",
        "DROP TRIGGER IF EXISTS articles_fts_au",
        f"DROP TABLE IF EXISTS {FTS_TABLE}",
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5("
        f"{names}, content='', tokenize='unicode61 remove_diacritics 2')",
        f"CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN {insert} END",
        f"CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN {delete} END",
        f"CREATE TRIGGER articles_fts_au AFTER UPDATE OF {sources} ON articles "
        f"WHEN {changed} BEGIN {delete} {insert} END",
    ):
        db_conn.execute(statement)


def rebuild_search_index(
    db_conn: sqlite3.Connection, columns: dict[str, str] = FTS_COLUMNS
) -> None:
    """Index every article afresh (after loading rows in bulk, or when the terms change)."""
    db_conn.execute(f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('delete-all')")
    db_conn.execute(
        f"INSERT INTO {FTS_TABLE}(rowid, {', '.join(columns)}) "
        f"SELECT id, {_fts_row('articles', columns)} FROM articles"
    )
