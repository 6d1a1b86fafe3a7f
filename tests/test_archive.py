"""The archive file: schema, upsert rules, refusal of files it must not touch, CSV export."""

import csv
import dataclasses
import json
import sqlite3

import pytest
from conftest import TESTS, run_cli, store

from pipelines.archive import SCHEMA_VERSION, ArchiveError, open_archive
from pipelines.store import Archive
from pipelines.textsearch import fts_query
from scraper.extract.fingerprint import content_hash
from scraper.items import Article


def article_like(seed, **changes):
    article = dataclasses.replace(seed, **changes)
    article.content_hash = content_hash(article.title, article.body)
    return article


def test_new_unchanged_and_alias(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])
    store(db_path, [seed_article])  # refetched, unchanged
    # The same text under another URL of the same source is an alias, not a new row.
    store(db_path, [article_like(seed_article, canonical_url="https://news.example.ua/x.html")])
    db = open_archive(db_path)
    assert db["articles"].count == 1
    urls = {r["url"] for r in db["article_urls"].rows}
    assert "https://news.example.ua/x.html" in urls
    assert seed_article.canonical_url in urls
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_changed_text_is_a_new_version(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])
    edited = article_like(seed_article, body=seed_article.body + "\n\nОбновлено.")
    edited.fetched_at = "2030-01-01T00:00:00+00:00"
    store(db_path, [edited])
    store(db_path, [article_like(edited, body=edited.body.replace(" ", "  "))])  # whitespace
    db = open_archive(db_path)
    assert db["articles"].count == 1
    row = next(db["articles"].rows)
    assert row["body"].endswith("Обновлено.") and row["version"] == 2
    (old,) = db["article_versions"].rows
    assert (old["version"], old["body"]) == (1, seed_article.body)
    assert old["superseded_at"] == edited.fetched_at
    (listed,) = db["edited_articles"].rows
    assert listed["article_id"] == row["id"] and listed["edited_at"] == edited.fetched_at


def test_full_text_index_follows_the_rows(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])
    db = open_archive(db_path)
    hits = db.execute(
        "SELECT a.title FROM articles a JOIN articles_fts ON articles_fts.rowid = a.id "
        "WHERE articles_fts MATCH newsarchive_query(?)",
        ["Jamestown"],
    ).fetchall()
    assert hits == [(seed_article.title,)]


def test_refuses_a_newer_schema_and_foreign_files(tmp_path):
    newer = tmp_path / "newer.db"
    conn = sqlite3.connect(newer)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    result = run_cli("export", "--db", str(newer))
    assert result.returncode == 2
    assert "written by a newer newsarchive" in result.stderr

    foreign = tmp_path / "other.db"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    result = run_cli("export", "--db", str(foreign))
    assert result.returncode == 2
    assert "not a newsarchive archive" in result.stderr

    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not sqlite at all" * 100)
    result = run_cli("export", "--db", str(garbage))
    assert result.returncode == 2
    assert garbage.read_bytes() == b"this is not sqlite at all" * 100

    result = run_cli("export", "--db", str(tmp_path / "missing.db"))
    assert result.returncode == 2
    assert not (tmp_path / "missing.db").exists()


def test_a_new_archive_is_made_where_hard_links_are_refused(tmp_path, seed_article, monkeypatch):
    """Some mounts (FUSE, SMB) refuse hard links: the archive is then renamed into place."""

    def refuse(*args):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr("pipelines.archive.os.link", refuse)
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".new")] == []
    db = open_archive(db_path, create=False)
    assert [r["title"] for r in db["articles"].rows] == [seed_article.title]


def test_an_archive_that_cannot_be_put_in_place_is_one_error(tmp_path, monkeypatch):
    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("pipelines.archive.os.link", refuse)
    monkeypatch.setattr("pipelines.archive.os.replace", refuse)
    db_path = tmp_path / "archive.db"
    with pytest.raises(ArchiveError, match="could not create the archive .*Permission denied"):
        open_archive(db_path)
    assert list(tmp_path.iterdir()) == []


def test_csv_export_round_trips_bodies(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    tricky = article_like(
        seed_article,
        canonical_url="https://news.example.ua/tricky.html",
        source="other",
        title='Заголовок, с "кавычками"',
        body='Первый абзац, с запятой.\n\nВторой; "цитата"\r\nи перевод строки.',
        authors=["А. Автор", "Б. Автор"],
    )
    store(db_path, [seed_article, tricky])
    out = tmp_path / "out.csv"
    result = run_cli("export", "--db", str(db_path), "--format", "csv", "--output", str(out))
    assert result.returncode == 0, result.stderr
    with out.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 2
    by_url = {r["canonical_url"]: r for r in rows}
    assert by_url["https://news.example.ua/tricky.html"]["body"] == tricky.body
    assert by_url["https://news.example.ua/tricky.html"]["authors"] == "А. Автор; Б. Автор"
    assert by_url[seed_article.canonical_url]["body"] == seed_article.body


def test_jsonl_export_to_file(tmp_path, seed_article):
    db_path = tmp_path / "archive.db"
    store(db_path, [seed_article])
    out = tmp_path / "out.jsonl"
    result = run_cli("export", "--db", str(db_path), "--format", "jsonl", "--output", str(out))
    assert result.returncode == 0, result.stderr
    (row,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert row["title"] == seed_article.title
    assert row["tags"] == seed_article.tags


STORIES = {
    s["id"]: s
    for s in json.loads((TESTS / "fixtures" / "dedupe" / "stories.json").read_text("utf-8"))
}


def story(n: int, url: str, story_id: str, *, title: str = "", cut: int = 0, more: str = ""):
    """Story `story_id` fetched at minute `n` from `url` (its source: the host's first
    word), retitled, its last `cut` paragraphs cut, or `more` added."""
    paragraphs = STORIES[story_id]["paragraphs"]
    body = "\n\n".join([*paragraphs[: len(paragraphs) - cut], *([more] if more else [])])
    title = title or STORIES[story_id]["title"]
    article = Article(
        title=title,
        body=body,
        source=url.split("//")[1].split(".")[0],
        canonical_url=url.split("?")[0],
        url=url,
        urls_seen=[url],
        published="2024-03-01T10:00:00+00:00",
        fetched_at=f"2024-03-02T10:{n:02d}:00+00:00",
        raw_html=f"<h1>{title}</h1><p>{body}</p>".encode(),
    )
    article.content_hash = content_hash(article.title, article.body)
    return article


def written(path, batches, *, variables: int | None = None):
    """The archive after writing these batches (as a WARC import does: seen when fetched),
    each row of each table, what a search for each headline finds, and the outcomes."""
    db = open_archive(path)
    if variables:  # SQLite's limit on the values of one statement
        db.conn.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, variables)
    archive = Archive(db, captured=True)
    for batch in batches:
        archive.write([dataclasses.replace(a) for a in batch])
    tables = ("articles", "article_urls", "article_versions", "pages", "minhash_bands")
    state = {t: db.execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall() for t in tables}
    for (title,) in db.execute("SELECT title FROM articles").fetchall():
        state[title] = db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? ORDER BY rowid",
            [fts_query(title)],
        ).fetchall()
    db.close()
    return state, dict(archive.outcomes)


def test_a_batch_is_stored_as_its_articles_one_at_a_time(tmp_path):
    """A batch's new articles are inserted together (the search index is written once per
    statement); one that a later article of the batch is the same story as goes in first.
    The archive is the one its articles make written one at a time."""
    batch = [
        story(0, "https://wire.example/flood", "en-flood-a"),
        story(1, "https://wire.example/rates", "en-rates-a"),
        story(2, "https://wire.example/flood", "en-flood-a", more="The water is falling."),
        story(3, "https://wire.example/rates-2?ref=feed", "en-rates-a", title="Rates held"),
        story(4, "https://daily.example/quake", "en-quake-a"),
        story(5, "https://daily.example/copy", "en-flood-a", title="Town evacuated", cut=1),
        story(6, "https://daily.example/quake?ref=x", "en-quake-a"),
        story(7, "https://daily.example/rail", "en-rail-a"),
        story(8, "https://wire.example/rail", "en-rail-a", title="Line closed", cut=1),
        story(9, "https://kyiv.example/drone", "uk-drone-a"),
        story(10, "https://kyiv.example/grain", "uk-grain-a"),
        story(11, "https://moskva.example/fire", "ru-fire-a"),
        story(12, "https://moskva.example/metro", "ru-metro-a"),
    ]
    together = written(tmp_path / "together.db", [batch])
    assert together[1] == {
        ("wire", "new"): 2,
        ("wire", "updated"): 1,  # the flood story edited
        ("wire", "duplicate"): 1,  # the rates story's body under another URL
        ("daily", "copy"): 1,  # the flood story, trimmed and retitled
        ("daily", "new"): 2,
        ("daily", "unchanged"): 1,  # the quake story under a tracking link
        ("wire", "copy"): 1,  # the rail story, trimmed and retitled
        ("kyiv", "new"): 2,
        ("moskva", "new"): 2,
    }
    assert together == written(tmp_path / "one-by-one.db", [[a] for a in batch])
    # New articles past SQLite's limit on a statement's values: two to a statement.
    assert together == written(tmp_path / "two-by-two.db", [batch], variables=64)
